#!/usr/bin/python3
"""What Ansible renders: the reference tend's Jinja interpreter is compared with.

Run with Debian 12's /usr/bin/python3 (ansible-core 2.14, Jinja2 3.1). Reads one JSON document on
stdin, {"cases": [{"id", "kind": "template"|"expression", "text", "vars"}]}, and writes one to
stdout, {"results": [{"id", "ok": true, "output"} | {"id", "ok": false, "error"}],
"template_vars": {...}}. Every case is caught on its own: one broken case never stops the rest.

kind "template" is exactly what the `template` action plugin does (plugins/action/template.py in
2.14): a Templar copied onto a fresh AnsibleEnvironment with trim_blocks=True,
lstrip_blocks=False, newline_sequence='\n', the case's vars plus the plugin's own template vars as
available_variables, then `do_template(data, preserve_trailing_newlines=True,
escape_backslashes=False)`. do_template itself reads a `#jinja2:` header, and with its default
convert_data=False it joins the output with `ansible_concat` (plain strings, no literal_eval).
The template vars (ansible_managed, template_host, ...) are fixed values instead of the
controller's clock, uid and hostname; they are returned as "template_vars" so the harness hands
tend the very same values.

kind "expression" is the native value of a bare expression, as a typed engine needs it for a
`when:`, an `assert: that:` or a `"{{ expr }}"` value. It is evaluated by the same environment
through Jinja's own compile_expression, run in the context Templar.do_template builds
(AnsibleJ2Vars over the case's vars and the template's globals, shared=True), then unrolled and
checked for undefined values the way Ansible's finalize does. Chosen over
`templar.template("{{ " + text + " }}")` because that path stringifies the result (ansible_eval_concat:
3 becomes "3", None becomes "", only strings that look like a list, dict or bool are
literal_eval'd back), which would hide whether tend gets the type right. Tuples come back as lists.
"""
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, MappingView

# The configuration Ansible would read must not change the reference: no ansible.cfg from the
# working directory, and Ansible's defaults for everything that touches templating.
for name in list(os.environ):
    if name.startswith('ANSIBLE_'):
        del os.environ[name]
_EMPTY_CONFIG = tempfile.NamedTemporaryFile(prefix='jinja-reference-', suffix='.cfg')
os.environ['ANSIBLE_CONFIG'] = _EMPTY_CONFIG.name

from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.template import AnsibleEnvironment, Templar  # noqa: E402
from ansible.template import _fail_on_undefined  # noqa: E402
from ansible.template.vars import AnsibleJ2Vars  # noqa: E402

# What plugins/action/template.py adds through generate_ansible_template_vars, with fixed values
# (Ansible's template_run_date and template_mtime are datetimes; here they are their str()).
TEMPLATE_VARS = {
    'ansible_managed': 'Ansible managed',
    'template_host': 'controller',
    'template_path': 'template.j2',
    'template_fullpath': '/srv/ansible/roles/role/templates/template.j2',
    'template_destpath': '/etc/tend/template',
    'template_uid': 'root',
    'template_run_date': '2024-05-01 12:00:00',
    'template_mtime': '2024-05-01 11:00:00',
}

BASE = Templar(loader=DataLoader())


def render_template(text, variables):
    # As the plugin does: task vars first, then its own template vars over them.
    temp_vars = dict(variables)
    temp_vars.update(TEMPLATE_VARS)
    templar = BASE.copy_with_new_env(
        environment_class=AnsibleEnvironment,
        searchpath=[],
        newline_sequence='\n',
        trim_blocks=True,
        lstrip_blocks=False,
        available_variables=temp_vars,
    )
    return templar.do_template(text, preserve_trailing_newlines=True, escape_backslashes=False)


def evaluate_expression(text, variables):
    templar = BASE.copy_with_new_env(environment_class=AnsibleEnvironment, available_variables=variables)
    template = templar.environment.compile_expression(text, undefined_to_none=False)._template
    context = template.new_context(AnsibleJ2Vars(templar, template.globals), shared=True)
    templar.cur_context = context
    for _ in template.root_render_func(context):
        pass
    value = context.vars['result']
    # Ansible's finalize: a generator, range or dict view is a list; an undefined value anywhere fails.
    if isinstance(value, (Iterator, MappingView, range)):
        value = list(value)
    return _fail_on_undefined(value)


def to_json(value, path='result'):
    """Plain JSON data, or a TypeError naming what has no JSON form (so a case cannot pass by accident)."""
    if value is None or isinstance(value, (bool, str)):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value or value in (float('inf'), float('-inf')):
            raise TypeError('%s: %r has no JSON form' % (path, value))
        return float(value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError('%s: key %r is not a string' % (path, key))
            out[str(key)] = to_json(item, '%s[%r]' % (path, key))
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(item, '%s[%d]' % (path, i)) for i, item in enumerate(value)]
    raise TypeError('%s: a %s has no JSON form' % (path, type(value).__name__))


def run_case(case):
    kind, text, variables = case['kind'], case['text'], case.get('vars') or {}
    if kind == 'template':
        output = render_template(text, variables)
        if not isinstance(output, str):
            raise TypeError('template rendered a %s, not a string' % type(output).__name__)
        return str(output)
    if kind == 'expression':
        return to_json(evaluate_expression(text, variables))
    raise ValueError('unknown case kind %r' % kind)


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request['cases']:
        try:
            results.append({'id': case['id'], 'ok': True, 'output': run_case(case)})
        except Exception as e:  # noqa: BLE001 - every failure is a result, never the end of the run
            results.append({'id': case.get('id'), 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})
    json.dump({'results': results, 'template_vars': TEMPLATE_VARS}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
