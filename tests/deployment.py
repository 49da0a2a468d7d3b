"""What the deployment tests read: docker-compose.yml with its variables filled in as compose does, the
Dockerfile's command, and HTML forms filled in the way a browser submits them."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's variables: ``${NAME}``, ``${NAME:-default}``, ``${NAME-default}``, ``${NAME:?error}``,
    ``${NAME?error}`` and ``$$``."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg") or ""
        value = variables.get(name)
        unset, empty = value is None, not value
        if op == ":-":
            return arg if empty else value
        if op == "-":
            return arg if unset else value
        if op in (":?", "?") and (empty if op == ":?" else unset):
            raise MissingVariable(f"{name}: {arg}")
        return value or ""

    return _VARIABLE.sub(replace, text)


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def service_environment(service: str, variables: dict[str, str]) -> dict[str, str]:
    """A service's environment as compose would give it, with ``variables`` playing the part of ``.env``."""
    environment = compose()["services"][service].get("environment", {})
    return {key: interpolate(str(value), variables) for key, value in environment.items()}


def service_command(service: str) -> list[str]:
    """The command compose runs for a service: its own, or the image's (the Dockerfile's CMD)."""
    command = compose()["services"][service].get("command")
    return list(command) if command else dockerfile_command()


def dockerfile_command() -> list[str]:
    line = next(line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD "))
    return json.loads(line[4:])


class BrowserForm(HTMLParser):
    """The fields of the first POST form holding ``marker`` (a field name), as a browser would submit them
    untouched: text as given, checked boxes, the selected (else the first) option of each select."""

    def __init__(self, html: str, marker: str):
        super().__init__()
        self.marker, self.forms, self.current, self.select, self.textarea = marker, [], None, None, None
        self.feed(html)
        self.fields = next((form for form in self.forms if any(name == marker for name, _ in form)), None)
        if self.fields is None:
            raise AssertionError(f"no form with a field {marker!r} on the page")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = []
            self.forms.append(self.current)
        if self.current is None or (name := attrs.get("name")) is None and tag != "option":
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.current.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea":
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else [self.select["first"] or ""])
            self.current.extend((self.select["name"], value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current.append(tuple(self.textarea))
            self.textarea = None

    def filled(self, **changes) -> list[tuple[str, str]]:
        """The fields with some replaced: ``name=value`` or ``name=[values]`` (all values of a multiple field)."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        for name, value in changes.items():
            kept.extend((name, v) for v in (value if isinstance(value, list) else [value]))
        return kept
