"""`make run`: the development web server and one job worker, started and stopped
together (Ctrl-C stops both; if either stops, so does the other).

    python -m kotolupaus.devrun 127.0.0.1:8000
"""

import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    python = sys.executable
    processes = [
        # The worker prints the e-mails it "sends" (console backend) here too.
        subprocess.Popen([python, "manage.py", "procrastinate", "worker"]),  # noqa: S603
        subprocess.Popen([python, "manage.py", "runserver", address]),  # noqa: S603
    ]

    def stop(*_args):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return max(process.returncode or 0 for process in processes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
