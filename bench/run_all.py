"""`make bench`: every benchmark in one run, each printing its figures and ratios."""

from bench import _harness, instances, page_latency, poll_fanout, upload_memory, weight


def main() -> None:
    _harness.setup_django()
    _harness.report("Page latency: project overview", page_latency.run())
    _harness.report("Poll fan-out", poll_fanout.run())
    _harness.report("First-visit weight: projects list", weight.run())
    _harness.report("Upload memory: a 50 MB function deploy", upload_memory.run())
    _harness.report("Instances: one PostgreSQL per project", instances.run())


if __name__ == "__main__":
    main()
