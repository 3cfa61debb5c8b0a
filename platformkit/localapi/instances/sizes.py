"""PostgreSQL settings per compute size (``ci_<size>``), applied when an instance starts.

The real platform's sizes have 0.5 GB (nano) to 768 GB of memory; ``max_connections`` follows
its published direct-connection limits, while ``shared_buffers`` and ``work_mem`` are scaled
down (roughly 1/32 of the platform's) so that dozens of local projects fit on one machine.
A size change restarts the instance with its row of this table.

| size      | shared_buffers | max_connections | work_mem |
|-----------|----------------|-----------------|----------|
| nano      | 16MB           | 60              | 1MB      |
| micro     | 16MB           | 60              | 2MB      |
| small     | 32MB           | 90              | 2MB      |
| medium    | 64MB           | 120             | 4MB      |
| large     | 128MB          | 160             | 5MB      |
| xlarge    | 256MB          | 240             | 8MB      |
| 2xlarge   | 512MB          | 380             | 16MB     |
| 4xlarge + | 512MB          | 480             | 32MB     |
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SizeSettings:
    shared_buffers: str
    max_connections: int
    work_mem: str

    def as_conf(self) -> dict[str, str]:
        return {
            "shared_buffers": self.shared_buffers,
            "max_connections": str(self.max_connections),
            "work_mem": self.work_mem,
        }


SIZES: dict[str, SizeSettings] = {
    "nano": SizeSettings("16MB", 60, "1MB"),
    "micro": SizeSettings("16MB", 60, "2MB"),
    "small": SizeSettings("32MB", 90, "2MB"),
    "medium": SizeSettings("64MB", 120, "4MB"),
    "large": SizeSettings("128MB", 160, "5MB"),
    "xlarge": SizeSettings("256MB", 240, "8MB"),
    "2xlarge": SizeSettings("512MB", 380, "16MB"),
}
LARGEST = SizeSettings("512MB", 480, "32MB")


def settings_for(size: str) -> SizeSettings:
    """The settings of ``size`` (a size name without ``ci_``); 4xlarge and up share the last row."""
    return SIZES.get(size.removeprefix("ci_"), LARGEST)
