"""Does the kernel exit when its client goes away, as ipykernel does? Prints observations as
JSON (lifetime.test.ts asserts on them).

- parent: a client process starts the kernel with jupyter_client (which sets JPY_PARENT_PID)
  and is killed with SIGKILL, leaving the kernel an orphan.
- heartbeat: a kernel started without JPY_PARENT_PID, whose client pings its heartbeat (answered
  also while a cell blocks the kernel) and then stops (TESSERA_KERNEL_HEARTBEAT_TIMEOUT=2
  seconds); and one whose client never pings.

Usage: python lifetime.py KERNEL_SCRIPT NOTEBOOK_FOLDER   (the kernelspec 'tessera' on JUPYTER_PATH)
"""
import json
import os
import signal
import subprocess
import sys
import time

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

CLIENT = '''
import sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name="tessera")
km.start_kernel(cwd=sys.argv[1])
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
print(km.provisioner.process.pid, flush=True)
time.sleep(600)
'''


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().split(')')[-1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def seconds_until_gone(pid, limit):
    start = time.time()
    while time.time() - start < limit:
        if not alive(pid):
            return time.time() - start
        time.sleep(0.1)
    return None


def parent(folder):
    client = subprocess.Popen([sys.executable, '-c', CLIENT, folder], stdout=subprocess.PIPE, text=True)
    kernel = int(client.stdout.readline())
    was_alive = alive(kernel)
    client.send_signal(signal.SIGKILL)
    client.wait()
    gone = seconds_until_gone(kernel, 15)
    if gone is None:
        os.kill(kernel, signal.SIGKILL)
    return {'alive_before': was_alive, 'seconds_to_exit': gone}


def standalone(script, folder, ping):
    """A kernel started by hand, without JPY_PARENT_PID; its client pings or not."""
    connection = write_connection_file()[0]
    env = {k: v for k, v in os.environ.items() if k != 'JPY_PARENT_PID'}
    env['TESSERA_KERNEL_HEARTBEAT_TIMEOUT'] = '2'
    kernel = subprocess.Popen([os.environ['TESSERA_NODE'], '--expose-gc', script, 'kernel', connection], cwd=folder, env=env)
    kc = BlockingKernelClient(connection_file=connection)
    kc.load_connection_file()
    # Pings start once the kernel is ready: a client without a kernel manager takes a kernel
    # whose first ping goes unanswered for a second (it is still starting) for a dead one.
    kc.start_channels(hb=False)
    kc.wait_for_ready(timeout=60)
    if ping:
        kc.hb_channel.start()
        time.sleep(2)
    out = {}
    if ping:
        # The heartbeat is answered by a thread of its own: also while a cell blocks the kernel.
        cell = kc.execute('const until = Date.now() + 3000;\nwhile (Date.now() < until) {}')
        time.sleep(2)
        out['beating_during_busy_cell'] = kc.hb_channel.is_beating()
        kc.get_shell_msg(timeout=30)
    time.sleep(4)
    out['alive_while_client_runs'] = kernel.poll() is None
    kc.stop_channels()
    if ping:
        start = time.time()
        try:
            kernel.wait(timeout=15)
            out['seconds_to_exit'] = time.time() - start
        except subprocess.TimeoutExpired:
            out['seconds_to_exit'] = None
    else:
        time.sleep(3)
        out['alive_without_pings'] = kernel.poll() is None
    if kernel.poll() is None:
        kernel.kill()
        kernel.wait()
    os.remove(connection)
    return out


def main():
    script, folder = sys.argv[1], sys.argv[2]
    json.dump({
        'parent': parent(folder),
        'heartbeat': standalone(script, folder, ping=True),
        'no_pings': standalone(script, folder, ping=False),
    }, sys.stdout)


if __name__ == '__main__':
    main()
