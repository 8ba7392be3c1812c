"""`make run` (kotolupaus/devrun.py): a job worker that dies is started again after a
growing pause while the web server keeps running; Ctrl-C stops both; the web server's
end ends the worker. Driven with stand-in processes and a clock that moves only when
the supervisor sleeps, so nothing here waits."""

from kotolupaus.devrun import Supervisor


class FakeProcess:
    """Stands in for subprocess.Popen: alive until `die()` or terminate()."""

    def __init__(self, name):
        self.name = name
        self.returncode = None
        self.terminated = False
        self.waited = False

    def die(self, code):
        self.returncode = code

    def poll(self):
        return self.returncode

    def terminate(self):
        self.terminated = True
        self.returncode = -15

    def wait(self, timeout=None):
        self.waited = True
        return self.returncode

    def kill(self):
        self.returncode = -9


class Clock:
    def __init__(self):
        self.now = 0.0
        self.script = {}  # time -> what happens then

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        for moment in sorted(self.script):
            if moment <= self.now:
                self.script.pop(moment)()


def supervise(clock):
    started = {"web": [], "worker": []}
    said = []

    def start(name):
        def start_one():
            process = FakeProcess(name)
            started[name].append(process)
            return process

        return start_one

    supervisor = Supervisor(
        start("web"),
        start("worker"),
        clock=clock,
        sleep=clock.sleep,
        say=said.append,
    )
    return supervisor, started, said


def test_a_dying_worker_is_started_again_with_growing_pauses_while_the_web_runs():
    clock = Clock()
    supervisor, started, said = supervise(clock)

    def worker_dies(code):
        return lambda: started["worker"][-1].die(code)

    # The first worker dies at 10 s, its successor at once, the third at once too;
    # the fourth runs two minutes before it dies; then the web server is stopped.
    clock.script = {
        10: worker_dies(1),
        11.5: worker_dies(1),
        14: worker_dies(2),
        200: worker_dies(1),
        300: lambda: started["web"][0].die(0),
    }

    assert supervisor.run() == 0

    assert len(started["web"]) == 1
    assert len(started["worker"]) == 5
    assert said == [
        "the job worker stopped (exit status 1); starting it again in 1 s. "
        "The web server keeps running.",
        "the job worker was started again.",
        "the job worker stopped (exit status 1); starting it again in 2 s. "
        "The web server keeps running.",
        "the job worker was started again.",
        "the job worker stopped (exit status 2); starting it again in 4 s. "
        "The web server keeps running.",
        "the job worker was started again.",
        # It had run long enough: the pause is the first one again.
        "the job worker stopped (exit status 1); starting it again in 1 s. "
        "The web server keeps running.",
        "the job worker was started again.",
    ]
    # The web server's end stops the worker that runs then.
    assert started["worker"][-1].terminated
    assert not started["web"][0].terminated


def test_pauses_stop_growing_at_thirty_seconds():
    clock = Clock()
    supervisor, started, said = supervise(clock)
    for moment in range(1, 400, 1):
        clock.script[moment + 0.25] = lambda: (
            started["worker"][-1].poll() is None and started["worker"][-1].die(1)
        )
    clock.script[500] = lambda: started["web"][0].die(0)

    supervisor.run()

    pauses = [line.split(" in ")[1].split(" s.")[0] for line in said if "stopped" in line]
    assert pauses[:8] == ["1", "2", "4", "8", "16", "30", "30", "30"]


def test_ctrl_c_stops_both_and_restarts_nothing():
    clock = Clock()
    supervisor, started, said = supervise(clock)

    def ctrl_c():
        # The terminal sends SIGINT to the whole group: the children stop by themselves.
        started["worker"][-1].die(-2)
        started["web"][0].die(-2)
        raise KeyboardInterrupt

    clock.script = {5: lambda: started["worker"][-1].die(1), 5.75: ctrl_c}

    assert supervisor.run() == 0

    assert len(started["worker"]) == 1  # the dead one was not started again
    assert "the job worker was started again." not in said
    assert started["web"][0].waited
    assert not started["web"][0].terminated  # no second signal after Ctrl-C


def test_the_web_servers_failure_is_the_exit_status():
    clock = Clock()
    supervisor, started, said = supervise(clock)
    clock.script = {3: lambda: started["web"][0].die(1)}

    assert supervisor.run() == 1

    assert started["worker"][0].terminated and started["worker"][0].waited
    assert said == []
