#!/usr/bin/env bash
# Creates or updates TokenBroker's Entra app registration, idempotently:
#   - the web redirect URI (exactly the one given; other redirect URIs are removed),
#   - delegated Office 365 Exchange Online permissions for the chosen protocols + openid/profile/offline_access,
#   - optionally the app-only roles (IMAP.AccessAsApp, POP.AccessAsApp, SMTP.SendAsApp),
#   - the enterprise application (service principal) in this tenant,
#   - a client secret (or certificate) written straight into Key Vault, never printed,
# then prints the admin-consent URL and, for app-only mode, the Exchange Online PowerShell to run.
#
# Permission ids are resolved by value from the service principals in your tenant (the Exchange Online
# API's oauth2PermissionScopes and appRoles), never hard-coded.
#
# Human-readable output goes to stderr; stdout carries only the application (client) id, so
#   client_id=$(infra/azure/register-app.sh --redirect-uri ... --key-vault ...)
# works. Needs: az (logged in), rights to create app registrations, and a data role on the vault
# (deploy.sh grants "Key Vault Secrets Officer" to whoever runs it).
set -euo pipefail

readonly EXCHANGE_APP_ID="00000002-0000-0ff1-ce00-000000000000"   # Office 365 Exchange Online
readonly GRAPH_APP_ID="00000003-0000-0000-c000-000000000000"      # Microsoft Graph

display_name="TokenBroker"
redirect_uri=""
key_vault=""
credential_name="oauth-client-credential"
credential="secret"
protocols="imap,smtp"
app_only=false
rotate=false
tenant=""
mailbox=""

usage() {
  cat >&2 <<'EOF'
Usage: register-app.sh --redirect-uri URI --key-vault VAULT [options]

  --redirect-uri URI       the broker's consent callback, e.g. https://<app>.azurewebsites.net/api/consent/callback
  --key-vault NAME         the vault that receives the client credential (deployment output keyVaultName)
  --display-name NAME      app registration name (default: TokenBroker); looked up by this name
  --credential KIND        secret (default) or certificate (self-signed, created in the vault)
  --credential-name NAME   Key Vault secret/certificate name (default: oauth-client-credential)
  --protocols LIST         imap,pop,smtp subset (default: imap,smtp)
  --app-only               also request the app-only roles (client credentials, no user sign-in)
  --rotate                 add a new credential and store it even if the vault already holds one
  --tenant ID              tenant for the consent URL (default: the tenant az is logged in to)
  --mailbox ADDRESS        mailbox to show in the app-only Exchange PowerShell
  -h, --help               this text
EOF
}

die() { echo "register-app.sh: $*" >&2; exit 1; }
say() { echo "$*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --redirect-uri) redirect_uri="${2:?--redirect-uri needs a value}"; shift 2 ;;
    --key-vault) key_vault="${2:?--key-vault needs a value}"; shift 2 ;;
    --display-name) display_name="${2:?--display-name needs a value}"; shift 2 ;;
    --credential) credential="${2:?--credential needs a value}"; shift 2 ;;
    --credential-name) credential_name="${2:?--credential-name needs a value}"; shift 2 ;;
    --protocols) protocols="${2:?--protocols needs a value}"; shift 2 ;;
    --app-only) app_only=true; shift ;;
    --rotate) rotate=true; shift ;;
    --tenant) tenant="${2:?--tenant needs a value}"; shift 2 ;;
    --mailbox) mailbox="${2:?--mailbox needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown option '$1'" ;;
  esac
done

[[ -n "$redirect_uri" ]] || { usage; die "--redirect-uri is required"; }
[[ -n "$key_vault" ]] || { usage; die "--key-vault is required"; }
[[ "$redirect_uri" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9._~/-]*$ ]] \
  || die "--redirect-uri '$redirect_uri' must be an https URL without query or fragment"
[[ "$credential" == "secret" || "$credential" == "certificate" ]] || die "--credential must be 'secret' or 'certificate', not '$credential'"
[[ "$credential_name" =~ ^[0-9A-Za-z-]{1,127}$ ]] || die "--credential-name '$credential_name' is not a valid Key Vault name"
[[ "$display_name" != *\'* ]] || die "--display-name must not contain a single quote"

delegated_scopes=()
app_roles=()
IFS=', ' read -r -a chosen <<< "$protocols"
for protocol in "${chosen[@]}"; do
  case "${protocol,,}" in
    imap) delegated_scopes+=("IMAP.AccessAsUser.All"); app_roles+=("IMAP.AccessAsApp") ;;
    pop|pop3) delegated_scopes+=("POP.AccessAsUser.All"); app_roles+=("POP.AccessAsApp") ;;
    smtp) delegated_scopes+=("SMTP.Send"); app_roles+=("SMTP.SendAsApp") ;;
    "") ;;
    *) die "unknown protocol '$protocol' in --protocols: use imap, pop and/or smtp" ;;
  esac
done
[[ ${#delegated_scopes[@]} -gt 0 ]] || die "--protocols names no protocol"

command -v az >/dev/null || die "the Azure CLI (az) is not installed"
az account show -o none 2>/dev/null || die "not logged in: run 'az login' first"
[[ -n "$tenant" ]] || tenant=$(az account show --query tenantId -o tsv)

# --- the app registration -----------------------------------------------------------------------
mapfile -t existing < <(az ad app list --display-name "$display_name" --query "[?displayName=='$display_name'].appId" -o tsv)
if [[ ${#existing[@]} -gt 1 ]]; then
  die "${#existing[@]} app registrations are named '$display_name'; delete the extra ones or pass another --display-name"
elif [[ ${#existing[@]} -eq 1 ]]; then
  app_id="${existing[0]}"
  say "Updating app registration '$display_name' ($app_id)."
else
  app_id=$(az ad app create --display-name "$display_name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
  say "Created app registration '$display_name' ($app_id)."
fi
app_object_id=$(az ad app show --id "$app_id" --query id -o tsv)

# --- permissions, resolved by value ---------------------------------------------------------------
permission_id() {  # $1 resource app id, $2 oauth2PermissionScopes|appRoles, $3 value
  local id
  id=$(az ad sp show --id "$1" --query "$2[?value=='$3'].id | [0]" -o tsv 2>/dev/null || true)
  [[ -n "$id" ]] || die "the service principal $1 in tenant $tenant has no $2 entry '$3' (is Exchange Online licensed in this tenant?)"
  printf '%s' "$id"
}

exchange_access=""
for scope in "${delegated_scopes[@]}"; do
  exchange_access+="${exchange_access:+,}{\"id\":\"$(permission_id "$EXCHANGE_APP_ID" oauth2PermissionScopes "$scope")\",\"type\":\"Scope\"}"
done
if [[ "$app_only" == true ]]; then
  for role in "${app_roles[@]}"; do
    exchange_access+=",{\"id\":\"$(permission_id "$EXCHANGE_APP_ID" appRoles "$role")\",\"type\":\"Role\"}"
  done
fi
graph_access=""
for scope in openid profile offline_access; do
  graph_access+="${graph_access:+,}{\"id\":\"$(permission_id "$GRAPH_APP_ID" oauth2PermissionScopes "$scope")\",\"type\":\"Scope\"}"
done

body=$(cat <<EOF
{
  "web": {
    "redirectUris": ["$redirect_uri"],
    "implicitGrantSettings": { "enableIdTokenIssuance": false, "enableAccessTokenIssuance": false }
  },
  "requiredResourceAccess": [
    { "resourceAppId": "$EXCHANGE_APP_ID", "resourceAccess": [$exchange_access] },
    { "resourceAppId": "$GRAPH_APP_ID", "resourceAccess": [$graph_access] }
  ]
}
EOF
)
az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$app_object_id" \
  --headers "Content-Type=application/json" --body "$body" -o none
say "Set the redirect URI and the permissions: ${delegated_scopes[*]} offline_access$([[ "$app_only" == true ]] && echo " + app-only ${app_roles[*]}")."

# --- the enterprise application (service principal) ----------------------------------------------
sp_object_id=$(az ad sp show --id "$app_id" --query id -o tsv 2>/dev/null || true)
if [[ -z "$sp_object_id" ]]; then
  sp_object_id=$(az ad sp create --id "$app_id" --query id -o tsv)
  say "Created the enterprise application (service principal $sp_object_id)."
fi

# --- the client credential, straight into Key Vault ------------------------------------------------
with_retries() {  # RBAC role assignments take minutes to reach Key Vault
  local attempt
  for attempt in $(seq 1 20); do
    if "$@"; then return 0; fi
    say "  Key Vault refused (role assignment not effective yet?); retry $attempt/20 in 15 s."
    sleep 15
  done
  return 1
}

vault_has() {  # $1 secret|certificate
  local count
  count=$(az keyvault "$1" list --vault-name "$key_vault" --query "[?name=='$credential_name'] | length(@)" -o tsv 2>/dev/null) || return 2
  [[ "$count" -gt 0 ]]
}

store_secret() { printf '%s' "$client_secret" | az keyvault secret set --vault-name "$key_vault" --name "$credential_name" \
  --file /dev/stdin --encoding utf-8 --content-type "client secret of Entra app $app_id" -o none; }

status=0
if [[ "$credential" == "secret" ]]; then
  with_retries az keyvault secret list --vault-name "$key_vault" -o none || die "cannot list secrets in vault '$key_vault'"
  vault_has secret || status=$?
  [[ $status -le 1 ]] || die "cannot read the secrets of vault '$key_vault'"
  if [[ $status -eq 0 && "$rotate" != true ]]; then
    say "Vault '$key_vault' already holds secret '$credential_name'; keeping it (use --rotate for a new one)."
  else
    client_secret=$(az ad app credential reset --id "$app_id" --append --display-name "tokenbroker $(date -u +%Y-%m-%d)" \
      --years 1 --query password -o tsv 2>/dev/null) || die "Entra refused to add a client secret to app $app_id"
    [[ -n "$client_secret" ]] || die "Entra returned no client secret"
    with_retries store_secret || die "could not write secret '$credential_name' to vault '$key_vault'"
    unset client_secret
    say "Added a client secret (valid 1 year) and stored it as '$credential_name' in '$key_vault' (not shown)."
  fi
else
  with_retries az keyvault certificate list --vault-name "$key_vault" -o none || die "cannot list certificates in vault '$key_vault'"
  vault_has certificate || status=$?
  [[ $status -le 1 ]] || die "cannot read the certificates of vault '$key_vault'"
  if [[ $status -eq 0 && "$rotate" != true ]]; then
    say "Vault '$key_vault' already holds certificate '$credential_name'; keeping it (use --rotate for a new one)."
  else
    # A new version of the certificate in the vault; its public part is appended to the app's credentials.
    with_retries az ad app credential reset --id "$app_id" --append --create-cert --keyvault "$key_vault" --cert "$credential_name" -o none \
      || die "could not create certificate '$credential_name' in vault '$key_vault'"
    say "Created certificate '$credential_name' in '$key_vault' and added it to the app's credentials."
  fi
fi
if [[ "$rotate" == true ]]; then
  say ""
  say "Rotation: restart the app so it reads the new version (az functionapp restart -g <rg> -n <app>), check it works,"
  say "then delete the older credentials listed here with: az ad app credential delete --id $app_id --key-id <keyId>$([[ "$credential" == certificate ]] && echo " --cert")"
  list_kind=()
  [[ "$credential" == certificate ]] && list_kind=(--cert)
  az ad app credential list --id "$app_id" "${list_kind[@]}" --query "[].{keyId:keyId, name:displayName, ends:endDateTime}" -o table >&2
fi

# --- what the administrator does next ------------------------------------------------------------
encoded_redirect=$(printf '%s' "$redirect_uri" | sed -e 's/:/%3A/g' -e 's#/#%2F#g')
say ""
say "Admin consent (a tenant administrator opens this once; it grants every permission configured above):"
say "  https://login.microsoftonline.com/$tenant/adminconsent?client_id=$app_id&redirect_uri=$encoded_redirect"
say "  or: az ad app permission admin-consent --id $app_id"
if [[ "$app_only" == true ]]; then
  target="${mailbox:-<mailbox@contoso.com>}"
  say ""
  say "App-only mode: after admin consent, run in Exchange Online PowerShell (Connect-ExchangeOnline):"
  say "  # -ObjectId is the ENTERPRISE APPLICATION's object id ($sp_object_id, Entra > Enterprise applications),"
  say "  # NOT the app registration's object id ($app_object_id) shown on the App registrations page. With the wrong"
  say "  # one Exchange registers a principal no token ever matches: IMAP/POP answer 'AUTHENTICATE failed', SMTP 535."
  say "  New-ServicePrincipal -AppId '$app_id' -ObjectId '$sp_object_id' -DisplayName '$display_name'"
  say "  Add-MailboxPermission -Identity '$target' -User '$sp_object_id' -AccessRights FullAccess"
  if [[ " ${app_roles[*]} " == *" SMTP.SendAsApp "* ]]; then
    say "  Add-RecipientPermission -Identity '$target' -Trustee '$sp_object_id' -AccessRights SendAs -Confirm:\$false"
    say "  Set-CASMailbox -Identity '$target' -SmtpClientAuthenticationDisabled \$false"
  fi
fi

printf '%s\n' "$app_id"
