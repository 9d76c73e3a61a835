#!/usr/bin/env bash
# One command from an empty resource group to a running TokenBroker on Azure Functions:
#   1. create the resource group if needed,
#   2. deploy azuredeploy.json (storage + queues, Key Vault, monitoring, Function App, role assignments),
#   3. create/update the Entra app registration and put its client credential into the vault (register-app.sh),
#      deploying once more if the app's client id was not known yet,
#   4. publish the isolated worker (framework-dependent linux-x64, ReadyToRun), package it with the repository's
#      host.json (tokenbroker package) and upload the zip (Flex Consumption: one deploy into the app's deployment
#      container; Premium/Dedicated: zip deploy, run from package),
#   5. print the consent URLs.
# Idempotent: names derive from uniqueString(resource group, prefix), role assignment names from guid(...) of
# stable ids, the deployment has a fixed name, the app registration is found by name, the credential is kept
# when the vault holds one, and an unchanged package is not uploaded again.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
readonly deployment_name="tokenbroker"
readonly minimum_az="2.60.0"   # Flex Consumption support in az functionapp / deployment

resource_group=""
location=""
name_prefix="tokenbroker"
plan="FlexConsumption"
credential="secret"
protocols="imap,smtp"
display_name="TokenBroker"
app_only=false
what_if=false
skip_package=false
mailbox=""
artifacts_dir="$repo_root/artifacts"

usage() {
  cat <<'EOF'
Usage: infra/azure/deploy.sh -g RESOURCE_GROUP [-l LOCATION] [options]

  -g, --resource-group NAME   resource group (created when missing; then --location is required)
  -l, --location REGION       region for a new resource group, e.g. westeurope
      --name-prefix PREFIX    start of the resource names (default: tokenbroker)
      --plan PLAN             FlexConsumption (default), Premium (EP1) or Dedicated (B1)
      --credential KIND       secret (default) or certificate, kept in Key Vault
      --protocols LIST        imap,pop,smtp subset the app registration asks for (default: imap,smtp)
      --app-only              also request app-only permissions and print the Exchange PowerShell
      --mailbox ADDRESS       mailbox shown in the printed consent link and PowerShell
      --display-name NAME     Entra app registration name (default: TokenBroker)
      --what-if               show what the template would change, change nothing
      --skip-package          deploy infrastructure and app registration only
      --artifacts DIR         where to publish and package (default: artifacts/ in the repository)
  -h, --help                  this text
EOF
}

die() { echo "deploy.sh: $*" >&2; exit 1; }
step() { echo; echo "==> $*"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -g|--resource-group) resource_group="${2:?$1 needs a value}"; shift 2 ;;
    -l|--location) location="${2:?$1 needs a value}"; shift 2 ;;
    --name-prefix) name_prefix="${2:?$1 needs a value}"; shift 2 ;;
    --plan) plan="${2:?$1 needs a value}"; shift 2 ;;
    --credential) credential="${2:?$1 needs a value}"; shift 2 ;;
    --protocols) protocols="${2:?$1 needs a value}"; shift 2 ;;
    --app-only) app_only=true; shift ;;
    --mailbox) mailbox="${2:?$1 needs a value}"; shift 2 ;;
    --display-name) display_name="${2:?$1 needs a value}"; shift 2 ;;
    --what-if) what_if=true; shift ;;
    --skip-package) skip_package=true; shift ;;
    --artifacts) artifacts_dir="${2:?$1 needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done

[[ -n "$resource_group" ]] || { usage >&2; die "--resource-group is required"; }
case "$plan" in FlexConsumption|Premium|Dedicated) ;; *) die "--plan must be FlexConsumption, Premium or Dedicated, not '$plan'" ;; esac
case "$credential" in secret|certificate) ;; *) die "--credential must be secret or certificate, not '$credential'" ;; esac
[[ "$display_name" != *\'* ]] || die "--display-name must not contain a single quote"

command -v az >/dev/null || die "the Azure CLI (az) is not installed: https://learn.microsoft.com/cli/azure/install-azure-cli"
az_version=$(az version --query '"azure-cli"' -o tsv)
if [[ "$(printf '%s\n%s\n' "$minimum_az" "$az_version" | sort -V | head -n1)" != "$minimum_az" ]]; then
  die "az $az_version is too old: Flex Consumption needs $minimum_az or later (az upgrade)"
fi
if [[ "$skip_package" != true && "$what_if" != true ]]; then
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is needed to build the package (or pass --skip-package)"
fi
az account show -o none 2>/dev/null || die "not logged in: run 'az login' (and 'az account set -s <subscription>')"

# --- who is deploying (gets the vault role that lets register-app.sh store the credential) ---------
if [[ "$(az account show --query user.type -o tsv)" == "servicePrincipal" ]]; then
  deployer_type="ServicePrincipal"
  deployer_id=$(az ad sp show --id "$(az account show --query user.name -o tsv)" --query id -o tsv)
else
  deployer_type="User"
  deployer_id=$(az ad signed-in-user show --query id -o tsv)
fi

# --- resource group ---------------------------------------------------------------------------------
step "Resource group '$resource_group'"
if [[ "$(az group exists --name "$resource_group")" == "true" ]]; then
  echo "exists."
elif [[ "$what_if" == true ]]; then
  echo "does not exist: a real run creates it${location:+ in $location} and every resource of the template."
  exit 0
else
  [[ -n "$location" ]] || die "resource group '$resource_group' does not exist: pass --location to create it"
  az group create --name "$resource_group" --location "$location" -o none
  echo "created in $location."
fi

# --display-name matches names starting with it; keep only the exact name.
client_id=$(az ad app list --display-name "$display_name" --query "[?displayName=='$display_name'].appId | [0]" -o tsv)

template_args() {  # $1 client id
  printf '%s\n' --resource-group "$resource_group" --name "$deployment_name" \
    --template-file "$script_dir/azuredeploy.json" \
    --parameters "@$script_dir/azuredeploy.parameters.json" \
    --parameters "namePrefix=$name_prefix" "hostingPlan=$plan" "clientCredential=$credential" "clientId=$1" \
      "deployerPrincipalId=$deployer_id" "deployerPrincipalType=$deployer_type"
}

if [[ "$what_if" == true ]]; then
  step "What-if (nothing is changed)"
  mapfile -t args < <(template_args "$client_id")
  az deployment group what-if "${args[@]}"
  exit 0
fi

deploy_template() {  # $1 client id
  local args
  mapfile -t args < <(template_args "$1")
  az deployment group create "${args[@]}" -o none
}
output() { az deployment group show --resource-group "$resource_group" --name "$deployment_name" --query "properties.outputs.$1.value" -o tsv; }

step "Deploying azuredeploy.json ($plan)"
deploy_template "$client_id"
app_name=$(output functionAppName)
app_url=$(output functionAppUrl)
redirect_uri=$(output redirectUri)
key_vault=$(output keyVaultName)
tenant=$(output tenantId)
platform_host=$(output platformHostName)
echo "Function App $app_name, Key Vault $key_vault, storage $(output storageAccountName)."
if [[ "https://$platform_host" != "$app_url" ]]; then
  die "the app's host name is $platform_host, not ${app_url#https://}: the redirect URI in the template would not match; report this"
fi

# --- app registration and credential ------------------------------------------------------------------
step "Entra app registration '$display_name'"
register_args=(--redirect-uri "$redirect_uri" --key-vault "$key_vault" --display-name "$display_name"
  --credential "$credential" --credential-name "$(output clientCredentialName)" --protocols "$protocols" --tenant "$tenant")
[[ "$app_only" == true ]] && register_args+=(--app-only)
[[ -n "$mailbox" ]] && register_args+=(--mailbox "$mailbox")
registered_id=$("$script_dir/register-app.sh" "${register_args[@]}")
if [[ "$registered_id" != "$client_id" ]]; then
  step "Deploying again with the new client id $registered_id"
  deploy_template "$registered_id"
  client_id="$registered_id"
fi

# --- package ------------------------------------------------------------------------------------------------
if [[ "$skip_package" != true ]]; then
  step "Building the package (dotnet-isolated 10.0, framework-dependent linux-x64, ReadyToRun)"
  publish_dir="$artifacts_dir/publish"
  package_dir="$artifacts_dir/package"
  rm -rf "$publish_dir"
  dotnet publish "$repo_root/functions/TokenBroker" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$publish_dir" --nologo -v quiet
  # The Functions host reads host.json at the package root; the repository's copy is the one that ships.
  cp "$repo_root/host.json" "$publish_dir/host.json"
  # The package command copies the publish folder as it is (functions.metadata, worker.config.json, extensions.json,
  # .azurefunctions/) and zips it; dotnet runs it on any OS, whatever the publish's runtime identifier.
  dotnet "$publish_dir/tokenbroker.dll" package "$package_dir"

  # The zip differs on every build (file times); its contents do not when nothing changed.
  package_hash=$(cd "$package_dir" && find . -type f ! -name local.settings.json -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  state_file="$artifacts_dir/.deployed-$resource_group-$app_name.sha256"
  if [[ -f "$state_file" && "$(cat "$state_file")" == "$package_hash" ]]; then
    step "Package unchanged since the last upload from this machine: not uploading"
  else
    step "Uploading the package to $app_name"
    # On Flex Consumption az sends the zip to the app's one-deploy endpoint, which stores it in the deployment
    # container of the template; on Premium/Dedicated it is a zip deploy (WEBSITE_RUN_FROM_PACKAGE=1). No remote build:
    # the package is already compiled.
    az functionapp deployment source config-zip --resource-group "$resource_group" --name "$app_name" \
      --src "$package_dir.zip" --build-remote false --timeout 600 -o none
    printf '%s\n' "$package_hash" > "$state_file"
  fi
fi

# --- what next -------------------------------------------------------------------------------------------
step "Done"
echo "App:           $app_url   (health: $app_url/api/health)"
echo "Redirect URI:  $redirect_uri   (registered on app $client_id)"
echo "Admin consent: https://login.microsoftonline.com/$tenant/adminconsent?client_id=$client_id"
echo "Callers: give each app its own client, scoped to mailboxes and operations (you hold the vault role this needs):"
echo "  TokenStore__VaultUri=https://$key_vault.vault.azure.net/ tokenbroker clients add helpdesk --mailboxes ${mailbox:-user@contoso.com} --can send,fetch,status"
echo "  tokenbroker clients add admin --mailboxes '*' --can admin,status   (for consent invitations)"
echo "Mailbox consent: an admin client issues a signed, expiring invitation link for the mailbox's user:"
echo "  tokenbroker consent invite ${mailbox:-user@contoso.com} --protocols $protocols --url $app_url --credential ADMIN_CLIENT_SECRET --function-key KEY"
echo "  (KEY: the app's default key, az functionapp keys list; it only opens the door, the client secret decides.)"
