#!/bin/sh
# Wheelhouse bastion: sshd's AuthorizedKeysCommand. Prints the authorized_keys lines of the tunnel user,
# read at every login from SSM Parameter Store (one parameter per key, written by the bot's
# `/bastion-key add`), so that a removed key stops working at the next login without touching the host.
#
# Usage (sshd_config): AuthorizedKeysCommand /usr/local/sbin/wheelhouse-authorized-keys %u
#        or, for tests:  /bin/sh authorized-keys-command.sh <user> <conf-file>
# The conf file (default /etc/wheelhouse/bastion.conf) holds KEY=value lines: TUNNEL_USER,
# KEYS_PARAMETER_PATH, AWS_REGION and optionally AWS_CLI (default: aws). It is read, never sourced.
set -u

user="${1:-}"
conf="${2:-/etc/wheelhouse/bastion.conf}"

if [ ! -r "$conf" ]; then
  echo "wheelhouse-authorized-keys: cannot read $conf" >&2
  exit 1
fi

setting() {
  sed -n "s/^$1=//p" "$conf" | tail -n 1
}

tunnel_user=$(setting TUNNEL_USER)
keys_path=$(setting KEYS_PARAMETER_PATH)
region=$(setting AWS_REGION)
aws_cli=$(setting AWS_CLI)
aws_cli="${aws_cli:-aws}"

# Only the tunnel user has keys here; any other account gets none.
[ -n "$tunnel_user" ] && [ "$user" = "$tunnel_user" ] || exit 0

if [ -z "$keys_path" ] || [ -z "$region" ]; then
  echo "wheelhouse-authorized-keys: KEYS_PARAMETER_PATH and AWS_REGION must be set in $conf" >&2
  exit 1
fi

# A hung API call must not hold a login open: sshd waits for this command.
keys=$(timeout 10 "$aws_cli" ssm get-parameters-by-path --region "$region" --path "$keys_path" \
  --recursive --query 'Parameters[].[Value]' --output text) || {
  echo "wheelhouse-authorized-keys: reading $keys_path failed" >&2
  exit 1
}

# Defense in depth: print only lines that carry the restrictions the bot sets on every key, so a
# parameter written by anything else cannot grant a shell or an open forward.
printf '%s\n' "$keys" | grep -E '^restrict,port-forwarding,permitopen="' || true
