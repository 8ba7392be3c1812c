"""`make run`: the development web server and one job worker, started together.

    python -m kotolupaus.devrun 127.0.0.1:8000

Ctrl-C (or SIGTERM) stops both. A worker that dies (a crash, a killed process, an
exception at start-up while code is being edited) is started again after a pause that
doubles with each quick death (1, 2, 4 … 30 s; back to 1 s once a worker has run for a
minute), with a line saying so; the web server keeps serving meanwhile. If the web
server stops, so does the worker.
"""

import signal
import subprocess
import sys
import time

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
# A worker that ran this long before it died is not "dying at once": the next pause is
# the first one again.
HEALTHY_AFTER = 60.0
POLL = 0.5


class Stop(Exception):
    pass


def _raise_stop(*_args):
    raise Stop


def _say(text: str) -> None:
    print(f"devrun: {text}", file=sys.stderr, flush=True)


class Supervisor:
    """Runs the web server and a worker; restarts the worker, never the web server.

    `start_web` and `start_worker` return something like a subprocess.Popen (poll,
    terminate, wait, kill, returncode); `clock` and `sleep` are time.monotonic and
    time.sleep outside the tests."""

    def __init__(
        self, start_web, start_worker, *, clock=time.monotonic, sleep=time.sleep, say=_say
    ):
        self.start_web = start_web
        self.start_worker = start_worker
        self.clock = clock
        self.sleep = sleep
        self.say = say
        self.restarts = 0

    def run(self) -> int:
        worker = self.start_worker()
        worker_started = self.clock()
        web = self.start_web()
        pause = FIRST_PAUSE
        restart_at = None  # when a dead worker is started again
        interrupted = stopped = False
        try:
            while web.poll() is None:
                if restart_at is None and worker.poll() is not None:
                    if self.clock() - worker_started >= HEALTHY_AFTER:
                        pause = FIRST_PAUSE
                    self.say(
                        f"the job worker stopped (exit status {worker.returncode}); "
                        f"starting it again in {pause:g} s. The web server keeps running."
                    )
                    restart_at = self.clock() + pause
                    pause = min(pause * 2, LONGEST_PAUSE)
                if restart_at is not None and self.clock() >= restart_at:
                    worker = self.start_worker()
                    worker_started = self.clock()
                    restart_at = None
                    self.restarts += 1
                    self.say("the job worker was started again.")
                self.sleep(POLL)
        except KeyboardInterrupt:
            # Ctrl-C in the terminal reaches every process of the group: each stops itself
            # (a second signal would make the worker abandon its job).
            interrupted = True
        except Stop:
            stopped = True
        processes = [web] if restart_at is not None else [worker, web]
        for process in processes:
            if not interrupted and process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                process.kill()
        if interrupted or stopped:
            return 0
        return web.returncode or 0


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    python = sys.executable
    supervisor = Supervisor(
        start_web=lambda: subprocess.Popen([python, "manage.py", "runserver", address]),  # noqa: S603
        # The worker prints the e-mails it "sends" (console backend) here too.
        start_worker=lambda: subprocess.Popen([python, "manage.py", "worker"]),  # noqa: S603
    )
    signal.signal(signal.SIGTERM, _raise_stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
