"""The Python peer of the render scenario (bench/render.ts): Jinja2 as Ansible's template module
configures it. Reads one JSON request a line on stdin, {"template", "vars", "seconds", "warmSeconds"}, and answers
one JSON line, {"versions", "rows"}: renders/s of each way below over that many seconds (after
"warmSeconds" of unmeasured renders), and the first render's output.

- templar: what the template action does for every host (ansible/plugins/action/template.py):
  a Templar copied with AnsibleEnvironment and trim_blocks, then do_template(text,
  preserve_trailing_newlines=True, escape_backslashes=False). It compiles the template every time.
- compiled-once: the same environment's Template compiled once and rendered again, for reference:
  what a render costs without compiling.

A process of its own that stays up across rounds, so Ansible's imports (~0.5 s) are paid once.
"""
import json
import sys
import time

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import AnsibleEnvironment, Templar
from ansible.release import __version__ as ansible_version
from jinja2 import __version__ as jinja2_version

VERSIONS = {"python": sys.version.split()[0], "ansible-core": ansible_version, "jinja2": jinja2_version}


def load(request, cache={}):
    key = (request["template"], request["vars"])
    if key not in cache:
        with open(request["template"], encoding="utf-8") as f:
            text = f.read()
        with open(request["vars"], encoding="utf-8") as f:
            variables = yaml.safe_load(f)
        cache[key] = (text, variables)
    return cache[key]


def templar_for(variables):
    base = Templar(loader=DataLoader(), variables=variables)
    return base.copy_with_new_env(environment_class=AnsibleEnvironment, trim_blocks=True,
                                  lstrip_blocks=False, available_variables=variables)


def rate(render, seconds, warm_seconds):
    """Renders/s over at least `seconds` (after `warm_seconds` unmeasured), and one render's output."""
    output = render()
    warm_until = time.perf_counter() + warm_seconds
    while time.perf_counter() < warm_until:
        render()
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        render()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return {"renders": count, "seconds": now - started, "rendersPerSecond": count / (now - started), "output": output}


def measure(request):
    text, variables = load(request)
    seconds = float(request["seconds"])
    warm_seconds = float(request.get("warmSeconds", 0.2))

    def per_host():
        # Each host has its own vars mapping; Ansible builds a Templar per task and host.
        own = dict(variables)
        return templar_for(own).do_template(text, preserve_trailing_newlines=True, escape_backslashes=False)

    templar = templar_for(dict(variables))
    compiled = templar.environment.from_string(text)

    def once():
        return compiled.render(dict(variables))

    rows = {}
    for name, render in (("templar", per_host), ("compiled-once", once)):
        try:
            rows[name] = rate(render, seconds, warm_seconds)
        except Exception as error:  # a template this peer cannot render is a row of its own
            rows[name] = {"error": ("%s: %s" % (type(error).__name__, error))[:300]}
    return {"versions": VERSIONS, "rows": rows}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = measure(json.loads(line))
        except Exception as error:
            answer = {"error": "%s: %s" % (type(error).__name__, error)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
