#!/usr/bin/env python3
"""Writes a man page from a program's own --help text, so the two cannot drift apart.

usage: help_to_man.py NAME SUMMARY METAINFO.xml HELP.txt OUT.1

Understands the two layouts this project prints: expertscope-cli's ("usage:" line,
paragraphs, a "commands:" block of indented entries) and Qt's QCommandLineParser
("Usage:", "Options:", "Arguments:"). The release date and version come from the
AppStream metainfo's newest <release>, the one place they are written.
"""
import re
import sys
import xml.etree.ElementTree as ET


def roff(text):
    """Escapes text for roff: backslashes, minus signs, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def paragraphs(lines):
    out, block = [], []
    for line in lines + [""]:
        if line.strip():
            block.append(line)
        elif block:
            out.append(block)
            block = []
    return out


def cli_sections(lines):
    """expertscope-cli: DESCRIPTION (paragraphs before the commands), COMMANDS, NOTES."""
    synopsis = lines[0].split(":", 1)[1].strip()
    body = lines[1:]
    start = body.index("commands:")
    end = start + 1
    while end < len(body) and (body[end].startswith("  ") or not body[end].strip()):
        if not body[end].strip() and end + 1 < len(body) and not body[end + 1].startswith("  "):
            break
        end += 1
    commands = []
    for line in body[start + 1:end]:
        m = re.match(r"^  (\S+)\s+(.*)$", line)
        if m:  # a command: its name and the first line of its options
            commands.append({"name": m.group(1), "syntax": [m.group(2)], "text": []})
        elif line.strip():
            entry = commands[-1]
            # Option lines go on until the first line of prose.
            if not entry["text"] and line.strip()[:1] in "[(":
                entry["syntax"].append(line.strip())
            else:
                entry["text"].append(line.strip())
    return synopsis, paragraphs(body[:start]), commands, paragraphs(body[end:])


def qt_sections(lines):
    """QCommandLineParser: usage, description, Options:, Arguments:."""
    synopsis = re.sub(r"^Usage: \S+", "", lines[0]).strip()
    description, options, arguments = [], [], []
    current = description
    for line in lines[1:]:
        if line.strip() == "Options:":
            current = options
        elif line.strip() == "Arguments:":
            current = arguments
        elif line.strip():
            current.append(line)
    def entries(block):
        out = []
        for line in block:
            m = re.match(r"^  (\S.*?)\s{2,}(\S.*)$", line)
            if m:
                out.append([m.group(1), m.group(2)])
            elif out:
                out[-1][1] += " " + line.strip()
        return out
    return synopsis, description, entries(options), entries(arguments)


def main():
    name, summary, metainfo, help_file, out_file = sys.argv[1:6]
    release = ET.parse(metainfo).getroot().find("releases/release")
    version, date = release.get("version"), release.get("date")
    lines = open(help_file, encoding="utf-8").read().rstrip("\n").split("\n")
    lines = [l for l in lines if not l.startswith("QStandardPaths:")]  # Qt's note on a bare environment
    page = [
        f'.TH {roff(name.upper())} 1 "{date}" "Expertscope {version}" "User Commands"',
        ".nh",  # option names are not to be hyphenated,
        ".ad l",  # nor spread to the right margin
        ".SH NAME",
        f"{roff(name)} \\- {roff(summary)}",
        ".SH SYNOPSIS",
    ]
    if lines[0].startswith("usage:"):
        synopsis, description, commands, notes = cli_sections(lines)
        page += [f".B {roff(name)}", roff(synopsis.split(" ", 1)[1]), ".SH DESCRIPTION", roff(summary[0].upper() + summary[1:]) + "."]
        for block in description:
            page += [".PP", roff(" ".join(l.strip() for l in block))]
        page.append(".SH COMMANDS")
        for c in commands:
            page += [".TP", f".B {roff(c['name'])}", "\n.br\n".join(roff(s) for s in c["syntax"])]
            if c["text"]:
                page += [".br", roff(" ".join(c["text"]))]
        page.append(".SH NOTES")
        for block in notes:
            page += [".PP", roff(" ".join(l.strip() for l in block))]
        page += [".SH EXIT STATUS", "0 on success, 1 when the command failed (the reason is on standard error),",
                 "2 for a command line it does not understand.", ".SH SEE ALSO", ".BR expertscope (1)"]
    else:
        synopsis, description, options, arguments = qt_sections(lines)
        page += [f".B {roff(name)}", roff(synopsis), ".SH DESCRIPTION"]
        page += [roff(" ".join(l.strip() for l in description))]
        page += [".PP", "Without a project named, it opens the last one used, else the demo project: WordNet's concepts",
                 "analysed with the small model that ships with it, built into the user's data folder",
                 "(\\fI~/.local/share/Expertscope/Expertscope/demo.esproj\\fR) on first use."]
        page.append(".SH OPTIONS")
        for flags, text in options:
            page += [".TP", f".B {roff(flags)}", roff(text)]
        page.append(".SH ARGUMENTS")
        for arg, text in arguments:
            page += [".TP", f".I {roff(arg)}", roff(text)]
        page += [".SH ENVIRONMENT", ".TP", ".B EXPERTSCOPE_DEMO", "A project file to use as the demo project instead.",
                 ".SH FILES", ".TP", ".I ~/.config/Expertscope/Expertscope.conf", "Preferences and recent projects.",
                 ".SH SEE ALSO", ".BR expertscope\\-cli (1)"]
    with open(out_file, "w", encoding="utf-8") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
