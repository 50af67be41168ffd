#!/usr/bin/env python3
"""Checks the German table that ships (translations/expertscope_de.ts, compiled into the
program) against the sources, for the translations_complete test.

    check_de.py SHIPPED.ts LUPDATED.ts

LUPDATED.ts is a copy of SHIPPED.ts after lupdate over the sources. Fails (exit 1), naming
each text, when lupdate found a text the shipped file lacks or marked one unfinished (a new
or changed tr() without its German), or when a shipped translation is unfinished, empty,
lacks a plural form or drops a placeholder (%1, %n) of its source."""
import re
import sys
import xml.etree.ElementTree as ET

GERMAN_PLURAL_FORMS = 2  # singular, plural
PLACEHOLDER = re.compile(r'%(?:\d+|n)')


def messages(path):
    """(context, source, comment, numerus) -> <message> element."""
    out = {}
    for context in ET.parse(path).getroot().iter('context'):
        name = context.findtext('name')
        for m in context.iter('message'):
            out[(name, m.findtext('source'), m.findtext('comment') or '', m.get('numerus') == 'yes')] = m
    return out


def describe(key):
    context, source, comment, _ = key
    return f'{context}: {source!r}' + (f' ({comment})' if comment else '')


def problems_of(key, message):
    translation = message.find('translation')
    if translation is None:
        return ['no translation element']
    kind = translation.get('type')
    if kind in ('unfinished', 'vanished', 'obsolete'):
        return [f'marked type="{kind}"']
    if key[3]:
        forms = [f.text or '' for f in translation.findall('numerusform')]
        if len(forms) != GERMAN_PLURAL_FORMS:
            return [f'{len(forms)} plural forms, German needs {GERMAN_PLURAL_FORMS}']
    else:
        forms = [translation.text or '']
    found = []
    wanted = set(PLACEHOLDER.findall(key[1]))
    for form in forms:
        if not form.strip():
            found.append('empty translation')
        elif not wanted <= set(PLACEHOLDER.findall(form)):
            found.append(f'{form!r} drops {sorted(wanted - set(PLACEHOLDER.findall(form)))}')
    return found


def main(shipped_path, lupdated_path):
    shipped, lupdated = messages(shipped_path), messages(lupdated_path)
    failures = []
    for key in sorted(set(lupdated) - set(shipped)):
        failures.append(f'not in the shipped .ts (new text?): {describe(key)}')
    for key in sorted(set(lupdated) & set(shipped)):
        translation = lupdated[key].find('translation')
        if translation is not None and translation.get('type') == 'unfinished' and not problems_of(key, shipped[key]):
            failures.append(f'lupdate marks it unfinished: {describe(key)}')
    for key, message in sorted(shipped.items()):
        for problem in problems_of(key, message):
            failures.append(f'shipped {problem}: {describe(key)}')
    for key in sorted(set(shipped) - set(lupdated)):
        print(f'note: no longer in the sources (lupdate -no-obsolete would drop it): {describe(key)}')
    for f in failures:
        print(f)
    if failures:
        print(f'{len(failures)} problem(s). After changing texts: lupdate (cmake --build BUILD --target '
              'expertscope_ui_lupdate), then translate the new entries (translations/fill_de.py).')
        return 1
    print(f'{len(shipped)} texts, each with its German translation')
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
