"""The pure core of aiogh_packages: protocol logic that does no I/O and reads no clock."""
