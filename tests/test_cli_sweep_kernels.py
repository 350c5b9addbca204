"""The zoo-wide CLI sweep (``cli_sweep``), tabulating and sampling commands: phase, kernel, mc."""

from cli_sweep import check_command, sweep


@sweep(("phase", "kernel", "mc"))
def test_every_activation(name: str, command: str, capsys):
    check_command(name, command, capsys)
