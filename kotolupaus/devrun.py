"""`make run`: the development web server and one job worker, started and stopped
together (Ctrl-C stops both; if either stops, so does the other).

    python -m kotolupaus.devrun 127.0.0.1:8000
"""

import signal
import subprocess
import sys
import time


class Stop(Exception):
    pass


def _raise_stop(*_args):
    raise Stop


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    python = sys.executable
    processes = [
        # The worker prints the e-mails it "sends" (console backend) here too.
        subprocess.Popen([python, "manage.py", "worker"]),  # noqa: S603
        subprocess.Popen([python, "manage.py", "runserver", address]),  # noqa: S603
    ]
    signal.signal(signal.SIGTERM, _raise_stop)
    interrupted = False
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        # Ctrl-C in the terminal reaches every process of the group: each stops itself
        # (a second signal would make the worker abandon its job).
        interrupted = True
    except Stop:
        pass
    for process in processes:
        if not interrupted and process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.kill()
    return 0 if interrupted else max(process.returncode or 0 for process in processes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
