/**
 * A stand-in for the AWS CLI on the bastion, for tests: a POSIX sh script that answers exactly the
 * call the `AuthorizedKeysCommand` makes (`aws ssm get-parameters-by-path --region R --path P
 * --recursive --query 'Parameters[].[Value]' --output text`) from the file a {@link FakeSsm} dumps,
 * and fails loudly on any other call. Plain sh, so that it runs as `nobody` with no Node on its PATH.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the stand-in is and what it logs. */
export interface FakeAwsCli {
  /** The executable, for the bastion conf's `AWS_CLI`. */
  readonly path: string;
  /** Each call appends its arguments here, one line per call. */
  readonly callLog: string;
}

/** Writes the stand-in into `dir` (which must be traversable by the user sshd runs the command as). */
export function writeFakeAwsCli(dir: string, dumpFile: string, region: string): FakeAwsCli {
  const path = join(dir, 'aws');
  const callLog = join(dir, 'aws-calls.log');
  writeFileSync(callLog, '', { mode: 0o666 });
  chmodSync(callLog, 0o666);
  writeFileSync(
    path,
    `#!/bin/sh
# Test stand-in for: aws ssm get-parameters-by-path (see test/support/fake-aws-cli.ts)
echo "$*" >> '${callLog}'
[ "$1" = ssm ] && [ "$2" = get-parameters-by-path ] || { echo "fake aws: unexpected call: $*" >&2; exit 2; }
shift 2
region= path= recursive= query= output=
while [ $# -gt 0 ]; do
  case "$1" in
    --region) region=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    --recursive) recursive=yes; shift ;;
    --query) query=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    *) echo "fake aws: unexpected argument $1" >&2; exit 2 ;;
  esac
done
[ "$region" = '${region}' ] || { echo "fake aws: region $region" >&2; exit 2; }
[ "$recursive" = yes ] && [ "$query" = 'Parameters[].[Value]' ] && [ "$output" = text ] || { echo "fake aws: wrong options" >&2; exit 2; }
awk -F '\\t' -v p="$path" 'index($1, p) == 1 { print $2 }' '${dumpFile}'
`,
    { mode: 0o755 },
  );
  chmodSync(path, 0o755);
  return { path, callLog };
}
