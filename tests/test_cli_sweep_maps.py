"""The zoo-wide CLI sweep (``cli_sweep``), mean-field commands: show, critical, maps, eoc."""

from cli_sweep import check_command, sweep


@sweep(("show", "critical", "maps", "eoc"))
def test_every_activation(name: str, command: str, capsys):
    check_command(name, command, capsys)
