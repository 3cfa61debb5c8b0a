"""`make bench`: every benchmark in one run, each printing its figures and ratios."""

from bench import (
    _harness,
    database_page,
    instances,
    logs,
    operators,
    page_latency,
    poll_fanout,
    rate_limits,
    several_machines,
    sql_download,
    upload_memory,
    weight,
)


def main() -> None:
    _harness.setup_django()
    _harness.report("Page latency: project overview", page_latency.run())
    _harness.report("Poll fan-out", poll_fanout.run())
    _harness.report("First-visit weight: projects list", weight.run())
    _harness.report("Upload memory: a 50 MB function deploy", upload_memory.run())
    _harness.report("100 operators at once (gunicorn)", operators.run())
    _harness.report("Rate limits: calls per page view; 10 operators for a minute", rate_limits.run())
    _harness.report("Logs: 1M events, 24-hour window", logs.run())
    _harness.report("Database page: 300 tables, a 1M-row table", database_page.run())
    _harness.report("Instances: one PostgreSQL per project", instances.run())
    _harness.report("SQL download: 1M rows streamed", sql_download.run())
    _harness.report("Several machines: 50 viewers over two site processes", several_machines.run())


if __name__ == "__main__":
    main()
