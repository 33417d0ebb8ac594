"""A benchmark child's resident memory, read from /proc (Linux): the figures build.py and tier_build.py report."""

from __future__ import annotations


def rss_mib(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS now, VmHWM the high-water mark) in MiB; NaN if absent."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def reset_peak_rss() -> None:
    """Reset the kernel's high-water RSS mark, so that the peak read later is the run's."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
