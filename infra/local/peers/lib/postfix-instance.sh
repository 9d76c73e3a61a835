# Shared by the Postfix peers (postfix.sh, postfix-smarthost.sh): each runs its own instance with its config in
# "$config_dir" and its queue under "$dir" (both set by the peer script before it sources this file).

# The main.cf lines that make this an instance of its own: its queue, data and log under "$dir" ("$log_file").
postfix_instance_settings() {
  cat <<SETTINGS
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $log_file
maillog_file_prefixes = $dir/
SETTINGS
}

# Postfix's internal services, chroot off, for a master.cf; the peer adds its listeners and any delivery agents.
postfix_internal_services() {
  cat <<'SERVICES'
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
SERVICES
}

stop_postfix() {
  local pid_file="$dir/queue/pid/master.pid"
  if pid_alive "$(pid_from_file "$pid_file")" && [ -f "$config_dir/main.cf" ]; then
    postfix -c "$config_dir" stop >/dev/null 2>&1 || true
  fi
  stop_pid_file "$pid_file"
}
