"""The deployment files in deploy/ agree with each other and with the settings docs/deploy.md shows."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from bot.ops import webhook_path

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"


def env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_unit_restarts_on_failure_reads_its_settings_and_runs_the_bot() -> None:
    unit = (DEPLOY / "retain@.service").read_text()
    assert "Restart=on-failure" in unit.splitlines()
    assert "EnvironmentFile=/etc/retain/retain.env" in unit and "EnvironmentFile=/etc/retain/%i.env" in unit
    assert re.search(r"^ExecStart=\S+/python -m bot$", unit, re.MULTILINE)
    assert "RestartPreventExitStatus=1 2" in unit  # bad settings (2) and a broken bank (1) are not retried
    health = (DEPLOY / "retain-health@.service").read_text()
    assert '"http://127.0.0.1:${WEBHOOK_PORT}/healthz"' in health and "curl -fsS" in health
    assert 'systemctl restart "retain@%i.service"' in health


def test_the_example_settings_of_two_instances_are_valid_and_the_proxies_reach_both() -> None:
    shared = env_file(DEPLOY / "retain.env.example")
    ports = []
    for name in ("a", "b"):
        values = {**shared, **env_file(DEPLOY / f"{name}.env")}
        values.update(TELEGRAM_BOT_TOKEN="1:x", WEBHOOK_SECRET="s3cret_value-1")
        settings = Settings(_env_file=None, **{k.lower(): v for k, v in values.items()})  # type: ignore[arg-type]
        assert settings.webhook_url is not None and settings.webhook_listen == "127.0.0.1"
        ports.append(settings.webhook_port)
        path = webhook_path(settings.webhook_url)
    assert len(set(ports)) == 2 and path.startswith("/telegram/")
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert f"reverse_proxy 127.0.0.1:{ports[0]} 127.0.0.1:{ports[1]}" in caddy
    assert "handle /telegram/*" in caddy and "health_uri /healthz" in caddy
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert all(f"server 127.0.0.1:{port}" in nginx for port in ports)
    assert "location /telegram/" in nginx and "http_503" in nginx


def test_every_setting_is_documented_in_env_example_readme_and_deploy_guide() -> None:
    example = (REPO / ".env.example").read_text()
    readme = (REPO / "README.md").read_text()
    guide = (REPO / "docs" / "deploy.md").read_text()
    for name in Settings.model_fields:
        variable = name.upper()
        assert re.search(rf"^#? ?{variable}=", example, re.MULTILINE), variable
        assert f"`{variable}`" in readme, variable
    for variable in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "WEBHOOK_PORT", "METRICS_PORT"):
        assert f"`{variable}`" in guide, variable
