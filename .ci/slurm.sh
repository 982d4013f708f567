#!/usr/bin/env bash
# A real, single-node Slurm on loopback for tests (the GPU panel's job view, the tiled executor's
# job arrays, the JupyterHub test): Debian 12's slurmctld + slurmd + munge, no systemd needed.
# Idempotent: installs what is missing, rewrites the same config, starts only daemons that are not
# running, then waits until `sinfo` shows the node idle. Run as root. docs/slurm-test-cluster.md.
#
# Partitions: `cpu` (default) and `gpu`, both on the one node `tessera`. The node has no real GPU;
# it declares a fake gres `gpu:fake:2` (plain files as its "devices") so that `--gres=gpu:1` / `--gpus=1` requests
# are accepted and scheduled as they would be on a GPU cluster.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm slurmctld slurmd slurm-client munge >/dev/null
fi

NODE=tessera
CPUS=$(nproc)
# Leave the OS some memory; Slurm refuses a node that reports less than its RealMemory.
MEM_MB=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) * 3 / 4 ))
mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /run/slurm

# A fixed config: rewriting it with the same content keeps the script idempotent; a changed one
# makes the running daemons reread it (scontrol reconfigure) further down.
CONF=$(cat <<EOF
# Written by .ci/slurm.sh: a one-node test cluster on loopback.
ClusterName=tessera-test
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups: works in containers and VMs without systemd.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a default, each job would claim the whole node's memory and jobs would run one at a time.
DefMemPerCPU=1024
ReturnToService=2
# Finished jobs stay visible to scontrol for an hour (there is no accounting database for sacct).
MinJobAge=3600
MaxArraySize=10001
MaxJobCount=20000
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
GresTypes=gpu
NodeName=$NODE NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB Gres=gpu:fake:2 State=UNKNOWN
PartitionName=cpu Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$NODE Default=NO MaxTime=INFINITE State=UP
EOF
)
# Slurm counts GPUs by their device files: two copies of /dev/null stand in for them (plain files
# where mknod is not allowed; slurmd then logs a harmless "not a valid character device").
for i in 0 1; do
  [ -e /var/lib/slurm/fake-gpu$i ] || mknod /var/lib/slurm/fake-gpu$i c 1 3 2>/dev/null || touch /var/lib/slurm/fake-gpu$i
done
GRES="NodeName=$NODE Name=gpu Type=fake File=/var/lib/slurm/fake-gpu[0-1]"
changed=0
if [ "$(cat /etc/slurm/slurm.conf 2>/dev/null)" != "$CONF" ]; then echo "$CONF" > /etc/slurm/slurm.conf; changed=1; fi
if [ "$(cat /etc/slurm/gres.conf 2>/dev/null)" != "$GRES" ]; then echo "$GRES" > /etc/slurm/gres.conf; changed=1; fi
printf 'ConstrainCores=no\nConstrainDevices=no\nConstrainRAMSpace=no\n' > /etc/slurm/cgroup.conf

# munge: a key, then the daemon as its own user.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
running() { pgrep -x "$1" >/dev/null; }
running munged || runuser -u munge -- /usr/sbin/munged
for _ in $(seq 50); do munge -n </dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done

if running slurmctld && running slurmd && [ "$changed" = 1 ]; then scontrol reconfigure || true; fi
running slurmctld || slurmctld
running slurmd || slurmd -N "$NODE"

# Wait until the node is idle (a node that was down is resumed).
for i in $(seq 120); do
  state=$(sinfo -h -n "$NODE" -o '%T' 2>/dev/null | head -1 || true)
  case "$state" in
    idle|mixed|allocated) echo "slurm: node $NODE $state (partitions: $(sinfo -h -o '%P' | tr '\n' ' '))"; exit 0 ;;
    down*|drain*) scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 1
done
echo "slurm: node $NODE did not become idle (state: ${state:-none}); see /var/log/slurm/" >&2
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
