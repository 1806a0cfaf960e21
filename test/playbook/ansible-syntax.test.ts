/**
 * Ansible's task syntax through `tend validate`: forms real roles use are accepted, and every
 * refusal names its file:line:column and the real cause. No host is contacted.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LOCAL_INVENTORY, project, tend } from '../cli/support.js'

async function validate(playbook: string, files: Record<string, string> = {}) {
  const dir = await project({ 'inventory.yaml': LOCAL_INVENTORY, 'site.yaml': playbook, ...files })
  return tend(['validate', 'site.yaml', '-i', 'inventory.yaml'], dir)
}

test('Ansible\'s task forms validate: k=v for every module, free-form commands, FQCNs, aliases, legacy forms, typed strings, templated typed fields', async () => {
  const r = await validate(`- hosts: web
  serial: "{{ batch }}"
  vars: { batch: 1, svc_state: started, lenient: true, fact_name: greeting }
  tasks:
    - copy: src=motd dest=/etc/motd mode=0644
    - ansible.builtin.copy: { content: "x\\n", dest: /tmp/x, mode: 0600 }
    - systemd: name=ssh enabled=yes state=started
    - ansible.builtin.systemd: { name: ssh, enabled: "yes", state: "{{ svc_state }}" }
    - ansible.builtin.systemd: { daemon_reload: true }
    - service: name=ssh state=restarted
    - wait_for: port=80 timeout=5
    - http: url=http://127.0.0.1/ status=200,204
    - command: touch /x creates=/x chdir=/tmp
    - shell: echo hi > /tmp/y creates=/tmp/y
    - command: ls
      args: { chdir: /tmp }
    - ansible.builtin.file: { path: /tmp/z, state: absent }
    - file: dest=/tmp/z2 state=touch mode=u=rw,g=r,o=r
    - ansible.legacy.file: { name: /tmp/z3, mode: "a-w" }
    - ansible.builtin.template: src=app.j2 dest=/etc/app mode=0640
    - include: more.yml
    - action: copy content=hi dest=/tmp/a
    - local_action: command touch /tmp/b creates=/tmp/b
    - local_action: { module: debug, msg: on the controller }
    - debug: msg="hello {{ inventory_hostname }}"
      with_items: [1, 2]
    - set_fact:
        "{{ fact_name }}": hello
    - debug: msg="{{ greeting }}"
    - command: "true"
      ignore_errors: "{{ lenient }}"
      no_log: "yes"
      become: "{{ false }}"
`, { 'motd': 'welcome\n', 'more.yml': '- debug: msg=more\n', 'app.j2': 'app on {{ inventory_hostname }}\n' })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /valid \(1 play, 23 tasks/)
})

test('refusals name the place and the cause: unknown lookup, decimal mode, bad boolean, stray words, unknown module in action', async () => {
  const r = await validate(`- hosts: web
  tasks:
    - debug: msg={{ item }}
      with_community.general.flattened: [[1], [2]]
    - file: { path: /tmp/m, mode: 644 }
    - command: "true"
      ignore_errors: maybe
    - wait_for: port=80 soon
    - action: frobnicate x=1
    - ansible.posix.sysctl: name=vm.swappiness value=10
    - systemd: name=ssh state=bouncing
    - file: path=/tmp/d state=directory
    - systemd: name=ssh enabled=perhaps
`)
  assert.equal(r.code, 5)
  const expected = [
    /site\.yaml:4:7: `with_community\.general\.flattened` loops over the `community\.general\.flattened` lookup, which tend does not have/,
    /site\.yaml:5:35: `mode: 644` is the decimal number 644: Ansible would set mode 1204, not 644\n[^]*?hint: Write the mode as a quoted octal string \(`mode: "0644"`\)/,
    /site\.yaml:7:22: `ignore_errors` must be boolean, not string "maybe"/,
    /site\.yaml:8:25: `wait_for` takes key=value arguments; `soon` is not one/,
    /site\.yaml:9:15: unknown module `frobnicate` in `action`/,
    /site\.yaml:10:7: unknown module `ansible\.posix\.sysctl`\n[^]*?hint: Ansible's `sysctl` is not in tend/,
    /site\.yaml:11:25: systemd\/service state `bouncing` is not one tend knows/,
    /site\.yaml:12:25: file state `directory` is not one tend has/,
    /site\.yaml:13:25: `enabled` must be boolean, not string "perhaps"/,
  ]
  for (const pattern of expected) assert.match(r.stderr, pattern)
  assert.match(r.stderr, /9 problems found; no host was contacted/)
  // A lookup loop is never taken for a module.
  assert.doesNotMatch(r.stderr, /unknown module `with_/)
})
