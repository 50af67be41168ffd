#!/usr/bin/env python3
"""Fills translations/expertscope_de.ts from the German table below after lupdate has
added new source texts, and lists any text still without a translation (exit 1)."""
import sys
import xml.etree.ElementTree as ET

DE = {
    'Blue to yellow': 'Blau bis Gelb',
    'Purple to orange': 'Violett bis Orange',
    'Grey': 'Grau',
    'Cannot write %1': '%1 kann nicht geschrieben werden',
    "Unknown image format '%1': use .png, .svg or .pdf": "Unbekanntes Bildformat „%1“: bitte .png, .svg oder .pdf verwenden",
    '%1 s': '%1 s',
    '%1 min': '%1 min',
    "How many of each concept's best experts are compared": 'Wie viele der besten Experten jedes Konzepts verglichen werden',
    "Concepts whose experts overlap most with the selected concept's: what an unknown concept resembles":
        'Konzepte, deren Experten sich am stärksten mit denen des gewählten Konzepts überschneiden: wem ein unbekanntes Konzept ähnelt',
    'Top-k experts:': 'Top-k-Experten:',
    'Shared experts of the clicked cell:': 'Gemeinsame Experten der angeklickten Zelle:',
    'Closest concepts to the selected one:': 'Dem gewählten Konzept nächste Konzepte:',
    '%1 × %2': '%1 × %2',
    '%1 unit %2': '%1 Einheit %2',
    'Units with an AP at or above this threshold count as experts': 'Einheiten mit einer AP ab dieser Schwelle gelten als Experten',
    'AP ≥ 0.000: 00000 experts': 'AP ≥ 0.000: 00000 Experten',
    'Colour map: all rise evenly in lightness and stay readable with colour-blindness':
        'Farbskala: alle steigen gleichmäßig in der Helligkeit und bleiben bei Farbenblindheit lesbar',
    'Experts per layer': 'Experten je Schicht',
    'experts': 'Experten',
    'layer': 'Schicht',
    'AP threshold:': 'AP-Schwelle:',
    'Colours:': 'Farben:',
    'AP ≥ %1: %n expert(s)': ['AP ≥ %1: %n Experte', 'AP ≥ %1: %n Experten'],
    'The text the model continues; empty starts from the beginning-of-text token':
        'Der Text, den das Modell fortsetzt; leer beginnt beim Textanfangs-Token',
    'Forcing': 'Erzwingen',
    'Add concept': 'Konzept hinzufügen',
    'Force or suppress several concepts at once, each with its own number of experts':
        'Mehrere Konzepte zugleich erzwingen oder unterdrücken, jedes mit eigener Expertenzahl',
    'Multiplies the on value the experts are forced to': 'Vervielfacht den An-Wert, auf den die Experten gesetzt werden',
    'all tokens': 'alle Tokens',
    'new tokens only': 'nur neue Tokens',
    'Force at every position, the prompt included, or only where new tokens are predicted':
        'An jeder Position erzwingen, den Prompt eingeschlossen, oder nur dort, wo neue Tokens vorhergesagt werden',
    'Strength:': 'Stärke:',
    'Positions:': 'Positionen:',
    'Sampling': 'Sampling',
    '0 always takes the most likely token': '0 nimmt immer das wahrscheinlichste Token',
    ' tokens': ' Tokens',
    'Both texts use this seed, so only the forcing differs': 'Beide Texte verwenden diesen Startwert, nur das Erzwingen unterscheidet sie',
    'Temperature:': 'Temperatur:',
    'Top-p:': 'Top-p:',
    'Length:': 'Länge:',
    'Seed:': 'Startwert:',
    'Without forcing': 'Ohne Erzwingen',
    'With forcing': 'Mit Erzwingen',
    'Prompt:': 'Prompt:',
    'Generate': 'Generieren',
    'Generate now (Ctrl+Enter); any change also regenerates': 'Jetzt generieren (Strg+Eingabe); jede Änderung generiert ebenfalls neu',
    'Generation failed: %1': 'Generierung fehlgeschlagen: %1',
    'The concept whose experts are forced': 'Das Konzept, dessen Experten erzwungen werden',
    "How many of the concept's best experts are forced (logarithmic)": 'Wie viele der besten Experten des Konzepts erzwungen werden (logarithmisch)',
    '%1 experts': '%1 Experten',
    'on (median)': 'an (Median)',
    'on (p90)': 'an (p90)',
    'suppress (off mean)': 'unterdrücken (Aus-Mittel)',
    'zero': 'null',
    'Force the experts on, to their typical value on positives, or suppress the concept':
        'Die Experten auf ihren typischen Wert bei Positiven setzen oder das Konzept unterdrücken',
    'Remove this concept from the forcing': 'Dieses Konzept aus dem Erzwingen entfernen',
    'Add a model to the project to generate.': 'Fügen Sie dem Projekt ein Modell hinzu, um zu generieren.',
    'Wheel or +/- to zoom, drag or arrows to pan, Home to reset; click a unit to inspect it':
        'Mausrad oder +/- zoomt, Ziehen oder Pfeiltasten verschieben, Pos1 setzt zurück; Klick auf eine Einheit untersucht sie',
    'No results for this concept yet': 'Noch keine Ergebnisse für dieses Konzept',
    'layer %1': 'Schicht %1',
    'unit (within its probe point)': 'Einheit (innerhalb ihres Messpunkts)',
    'AP': 'AP',
    '<b>%1</b> unit %2<br>AP %3<br>on_p50 %4<br>off_mean %5': '<b>%1</b> Einheit %2<br>AP %3<br>on_p50 %4<br>off_mean %5',
    'Expertscope': 'Expertscope',
    '&Heatmap': '&Heatmap',
    '&Co-learning': '&Ko-Lernen',
    '&Generation': '&Generierung',
    'Concepts': 'Konzepte',
    'Search concepts (Ctrl+F)': 'Konzepte suchen (Strg+F)',
    'Concept': 'Konzept',
    'Group': 'Gruppe',
    'Positives': 'Positive',
    'Negatives': 'Negative',
    'Best AP': 'Beste AP',
    'Experts': 'Experten',
    "Experts: units with an AP at or above the heatmap's threshold": 'Experten: Einheiten mit einer AP ab der Schwelle der Heatmap',
    'Unit inspector': 'Einheiten-Inspektor',
    'Cancel': 'Abbrechen',
    'Stop the analysis; finished concepts are kept (Esc)': 'Analyse anhalten; fertige Konzepte bleiben erhalten (Esc)',
    '%1 – Expertscope': '%1 – Expertscope',
    '%1 (%2/%3)': '%1 (%2/%3)',
    '%1 sentences/s, %2 left': '%1 Sätze/s, noch %2',
    'Some concepts were refused': 'Einige Konzepte wurden abgelehnt',
    'The analysis stopped': 'Die Analyse wurde angehalten',
    'Generated': 'Generiert',
    'Open a project (Ctrl+O), or create one (Ctrl+N) and add a model and concepts.':
        'Öffnen Sie ein Projekt (Strg+O) oder legen Sie eines an (Strg+N) und fügen Sie ein Modell und Konzepte hinzu.',
    '&File': '&Datei',
    'Main': 'Haupt',
    '&New project…': '&Neues Projekt…',
    'Create an empty project file': 'Eine leere Projektdatei anlegen',
    '&Open project…': 'Projekt ö&ffnen…',
    'Open a project file': 'Eine Projektdatei öffnen',
    'Open &recent': '&Zuletzt geöffnet',
    'Add &model…': '&Modell hinzufügen…',
    'Add a Hugging Face model folder or a llama2.c checkpoint': 'Einen Hugging-Face-Modellordner oder einen llama2.c-Checkpoint hinzufügen',
    'Add &concepts…': '&Konzepte hinzufügen…',
    'Import concepts: an ml-selfcond folder, a CSV/TSV table or text files':
        'Konzepte importieren: einen ml-selfcond-Ordner, eine CSV/TSV-Tabelle oder Textdateien',
    '&Export figure…': 'Abbildung &exportieren…',
    'Save the current view as PNG, SVG or PDF': 'Die aktuelle Ansicht als PNG, SVG oder PDF speichern',
    'Cop&y figure': 'Abbildung &kopieren',
    'Copy the current view as an image': 'Die aktuelle Ansicht als Bild kopieren',
    'Export &table…': '&Tabelle exportieren…',
    'Save the concept table as CSV': 'Die Konzepttabelle als CSV speichern',
    '&Preferences…': '&Einstellungen…',
    'Language, colours and analysis settings': 'Sprache, Farben und Analyse-Einstellungen',
    '&Quit': '&Beenden',
    'Quit Expertscope': 'Expertscope beenden',
    '&Analysis': '&Analyse',
    '&Run analysis': 'Analyse &starten',
    "Find every unit's expertise for every concept (resumes an interrupted run)":
        'Die Expertise jeder Einheit für jedes Konzept bestimmen (setzt einen unterbrochenen Lauf fort)',
    '&Cancel analysis': 'Analyse &abbrechen',
    'Stop the analysis; finished concepts are kept': 'Analyse anhalten; fertige Konzepte bleiben erhalten',
    '&View': '&Ansicht',
    'Find concept': 'Konzept suchen',
    '&Help': '&Hilfe',
    'Open &demo project': '&Demoprojekt öffnen',
    'No demo project': 'Kein Demoprojekt',
    'The demo project was not found at %1.': 'Das Demoprojekt wurde unter %1 nicht gefunden.',
    '&About Expertscope': '&Über Expertscope',
    'An analysis is running': 'Eine Analyse läuft',
    'Quit and stop the analysis? Finished concepts are kept, and the run resumes when started again.':
        'Beenden und die Analyse anhalten? Fertige Konzepte bleiben erhalten, und der Lauf wird beim nächsten Start fortgesetzt.',
    'New project': 'Neues Projekt',
    'Expertscope projects (*.esproj)': 'Expertscope-Projekte (*.esproj)',
    'The file exists': 'Die Datei existiert',
    '%1 already exists; open it instead, or choose another name.': '%1 existiert bereits; öffnen Sie die Datei oder wählen Sie einen anderen Namen.',
    'Open project': 'Projekt öffnen',
    'Expertscope projects (*.esproj);;All files (*)': 'Expertscope-Projekte (*.esproj);;Alle Dateien (*)',
    'Model folder (Hugging Face layout)': 'Modellordner (Hugging-Face-Aufbau)',
    'Concept files (concept_list.csv *.csv *.tsv *.txt)': 'Konzeptdateien (concept_list.csv *.csv *.tsv *.txt)',
    'Unknown file': 'Unbekannte Datei',
    '%1 is not a project, a model or a concept set.': '%1 ist weder ein Projekt noch ein Modell noch eine Konzeptsammlung.',
    'not analysed': 'nicht analysiert',
    'AP for “%1” – %2': 'AP für „%1“ – %2',
    'This view has no figure to export.': 'Diese Ansicht hat keine exportierbare Abbildung.',
    'Nothing to export': 'Nichts zu exportieren',
    'Switch to the heatmap or co-learning view to export a figure.': 'Wechseln Sie zur Heatmap- oder Ko-Lernen-Ansicht, um eine Abbildung zu exportieren.',
    'Export figure': 'Abbildung exportieren',
    'PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)': 'PNG-Bild (*.png);;SVG-Zeichnung (*.svg);;PDF-Dokument (*.pdf)',
    'Resolution': 'Auflösung',
    ' dpi': ' dpi',
    'Resolution:': 'Auflösung:',
    'Export failed': 'Export fehlgeschlagen',
    'Saved %1': '%1 gespeichert',
    'Export table': 'Tabelle exportieren',
    'CSV table (*.csv)': 'CSV-Tabelle (*.csv)',
    'Preferences': 'Einstellungen',
    'one per core': 'einer je Kern',
    'Language:': 'Sprache:',
    'Colour map:': 'Farbskala:',
    'Analysis threads:': 'Analyse-Threads:',
    'About Expertscope': 'Über Expertscope',
    '<h3>Expertscope %1</h3><p>Find and use expert units in Transformer language models.</p><p>Qt %2<br>%3<br>%4</p>':
        '<h3>Expertscope %1</h3><p>Experteneinheiten in Transformer-Sprachmodellen finden und nutzen.</p><p>Qt %2<br>%3<br>%4</p>',
    'Co-learning needs at least two analysed concepts': 'Ko-Lernen braucht mindestens zwei analysierte Konzepte',
    'Shared top-%1 experts (fraction of k)': 'Gemeinsame Top-%1-Experten (Anteil an k)',
    '%1 × %2: %3 shared': '%1 × %2: %3 gemeinsam',
    'Cannot open a project': 'Ein Projekt kann nicht geöffnet werden',
    'An analysis is running; cancel it first.': 'Eine Analyse läuft; brechen Sie sie zuerst ab.',
    'Cannot open the project': 'Das Projekt kann nicht geöffnet werden',
    'No project': 'Kein Projekt',
    'Create or open a project before adding a model.': 'Legen Sie ein Projekt an oder öffnen Sie eines, bevor Sie ein Modell hinzufügen.',
    'Loading %1…': '%1 wird geladen…',
    'The model could not be loaded': 'Das Modell konnte nicht geladen werden',
    "Stored results stay viewable; generation and the inspector's sentences need the model.":
        'Gespeicherte Ergebnisse bleiben sichtbar; Generierung und die Sätze des Inspektors brauchen das Modell.',
    'Cannot store the model in the project': 'Das Modell kann nicht im Projekt gespeichert werden',
    'Create or open a project before adding concepts.': 'Legen Sie ein Projekt an oder öffnen Sie eines, bevor Sie Konzepte hinzufügen.',
    'The concepts could not be imported': 'Die Konzepte konnten nicht importiert werden',
    'Nothing to analyse': 'Nichts zu analysieren',
    'Open or create a project first.': 'Öffnen Sie zuerst ein Projekt oder legen Sie eines an.',
    'Add a model to the project first.': 'Fügen Sie dem Projekt zuerst ein Modell hinzu.',
    'Add a concept set to the project first.': 'Fügen Sie dem Projekt zuerst eine Konzeptsammlung hinzu.',
    'Analysing…': 'Analyse läuft…',
    '%n concept(s) analysed': ['%n Konzept analysiert', '%n Konzepte analysiert'],
    '%n refused': ['%n abgelehnt', '%n abgelehnt'],
    'Analysis cancelled; finished concepts are saved and the run resumes when started again.':
        'Analyse abgebrochen; fertige Konzepte sind gespeichert, und der Lauf wird beim nächsten Start fortgesetzt.',
    "The unit's sentences could not be computed": 'Die Sätze der Einheit konnten nicht berechnet werden',
    'No model is loaded.': 'Kein Modell geladen.',
    'Click a unit in the heatmap to inspect it.': 'Klicken Sie auf eine Einheit in der Heatmap, um sie zu untersuchen.',
    'AP:': 'AP:',
    'on_p50 (median on positives):': 'on_p50 (Median bei Positiven):',
    'on_p90 (90th percentile on positives):': 'on_p90 (90. Perzentil bei Positiven):',
    'off_mean (mean on negatives):': 'off_mean (Mittel bei Negativen):',
    'Precision-recall': 'Precision-Recall',
    'Responses': 'Antworten',
    'The sentences that excite the unit most and least appear here.': 'Hier erscheinen die Sätze, die die Einheit am stärksten und am schwächsten anregen.',
    '<b>%1</b> unit %2 (global %3) for <b>%4</b>': '<b>%1</b> Einheit %2 (global %3) für <b>%4</b>',
    'Precision-recall (computing…)': 'Precision-Recall (wird berechnet…)',
    'Responses (computing…)': 'Antworten (werden berechnet…)',
    'Precision-recall (AP %1)': 'Precision-Recall (AP %1)',
    'Responses on positives and negatives': 'Antworten auf Positive und Negative',
    'unit': 'Einheit',
    'chance': 'Zufall',
    'recall': 'Recall',
    'precision': 'Precision',
    'positives': 'Positive',
    'negatives': 'Negative',
    'response': 'Antwort',
    'sentences': 'Sätze',
    "<i>Computing the sentences' activations…</i>": '<i>Die Aktivierungen der Sätze werden berechnet…</i>',
    'positive': 'positiv',
    'negative': 'negativ',
    'Sentences that excite the unit most': 'Sätze, die die Einheit am stärksten anregen',
    'Sentences that excite the unit least': 'Sätze, die die Einheit am schwächsten anregen',
    'Find and use expert units in Transformer language models.': 'Experteneinheiten in Transformer-Sprachmodellen finden und nutzen.',
    'Open the demo project.': 'Das Demoprojekt öffnen.',
    'A project file (.esproj) to open.': 'Eine zu öffnende Projektdatei (.esproj).',
}


def main(path):
    tree = ET.parse(path)
    missing = []
    for message in tree.getroot().iter('message'):
        source = message.find('source').text
        translation = message.find('translation')
        want = DE.get(source)
        if want is None:
            missing.append(source)
            continue
        translation.attrib.pop('type', None)
        for child in list(translation):
            translation.remove(child)
        if message.get('numerus') == 'yes':
            translation.text = None
            for form in want:
                ET.SubElement(translation, 'numerusform').text = form
        else:
            translation.text = want
    tree.write(path, encoding='utf-8', xml_declaration=True)
    for m in missing:
        print('untranslated:', repr(m))
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'translations/expertscope_de.ts'))
