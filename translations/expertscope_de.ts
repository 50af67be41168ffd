<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="de_DE">
<context>
    <name>ColourMap</name>
    <message>
        <source>Blue to yellow</source>
        <translation>Blau bis Gelb</translation>
    </message>
    <message>
        <source>Purple to orange</source>
        <translation>Violett bis Orange</translation>
    </message>
    <message>
        <source>Grey</source>
        <translation>Grau</translation>
    </message>
</context>
<context>
    <name>DemoSetup</name>
    <message>
        <source>The demo model is not installed, so the demo project cannot be built.</source>
        <translation>Das Demomodell ist nicht installiert, daher kann das Demoprojekt nicht erstellt werden.</translation>
    </message>
    <message>
        <source>Building the demo project: WordNet's concepts analysed with the demo model…</source>
        <translation>Das Demoprojekt wird erstellt: die WordNet-Konzepte, analysiert mit dem Demomodell…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>First start: the demo project</source>
        <translation>Erster Start: das Demoprojekt</translation>
    </message>
    <message>
        <source>Analysing concept %1 of %2: %3</source>
        <translation>Konzept %1 von %2 wird analysiert: %3</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>%1 cannot be created: is the folder writable?</source>
        <translation>%1 kann nicht angelegt werden: ist der Ordner beschreibbar?</translation>
    </message>
</context>
<context>
    <name>ForceValue</name>
    <message>
        <source>on (median)</source>
        <translation>an (Median)</translation>
    </message>
    <message>
        <source>on (p90)</source>
        <translation>an (p90)</translation>
    </message>
    <message>
        <source>suppress (off mean)</source>
        <translation>unterdrücken (Aus-Mittel)</translation>
    </message>
    <message>
        <source>zero</source>
        <translation>null</translation>
    </message>
    <message>
        <source>suppress (AurA, all units)</source>
        <translation>unterdrücken (AurA, alle Einheiten)</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>Unknown image format '%1': use .png, .svg or .pdf</source>
        <translation>Unbekanntes Bildformat „%1“: bitte .png, .svg oder .pdf verwenden</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>Abbildung exportieren</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG-Bild (*.png);;SVG-Zeichnung (*.svg);;PDF-Dokument (*.pdf)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Copy figure</source>
        <translation>Abbildung kopieren</translation>
    </message>
</context>
<context>
    <name>ResolutionDialog</name>
    <message>
        <source>Resolution</source>
        <translation>Auflösung</translation>
    </message>
    <message>
        <source> dpi</source>
        <translation> dpi</translation>
    </message>
    <message>
        <source>300 dpi suits print; the figure is 960 x 600 points</source>
        <translation>300 dpi eignen sich für den Druck; die Abbildung misst 960 x 600 Punkte</translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation>Auflösung:</translation>
    </message>
</context>
<context>
    <name>expertscope::AddModelDialog</name>
    <message>
        <source>Add model</source>
        <translation>Modell hinzufügen</translation>
    </message>
    <message>
        <source>No models in the Hugging Face cache (%1).</source>
        <translation>Keine Modelle im Hugging-Face-Cache (%1).</translation>
    </message>
    <message>
        <source>Models in the Hugging Face cache (%1): double-click one to add it.</source>
        <translation>Modelle im Hugging-Face-Cache (%1): zum Hinzufügen doppelklicken.</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revision</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <source>Opens</source>
        <translation>Lässt sich öffnen</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) missing from the cache (an interrupted download?)</source>
        <translation><numerusform>%n Datei fehlt im Cache (ein abgebrochener Download?)</numerusform><numerusform>%n Dateien fehlen im Cache (ein abgebrochener Download?)</numerusform></translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no: %1</source>
        <translation>nein: %1</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Choose a file or folder…</source>
        <translation>Datei oder Ordner wählen…</translation>
    </message>
    <message>
        <source>ORG/NAME or ORG/NAME@REVISION, e.g. Qwen/Qwen2.5-0.5B</source>
        <translation>ORG/NAME oder ORG/NAME@REVISION, z. B. Qwen/Qwen2.5-0.5B</translation>
    </message>
    <message>
        <source>Config, safetensors weights and tokenizer files (never pickled .bin weights), checked against the Hub's checksums; an interrupted download resumes. HF_TOKEN or huggingface-cli login for gated models.</source>
        <translation>Konfiguration, safetensors-Gewichte und Tokenizer-Dateien (nie gepickelte .bin-Gewichte), gegen die Prüfsummen des Hubs geprüft; ein abgebrochener Download wird fortgesetzt. HF_TOKEN oder huggingface-cli login für zugangsbeschränkte Modelle.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Download abbrechen</translation>
    </message>
    <message>
        <source>HF_HUB_OFFLINE is set: nothing is downloaded.</source>
        <translation>HF_HUB_OFFLINE ist gesetzt: es wird nichts heruntergeladen.</translation>
    </message>
    <message>
        <source>From the Hugging Face Hub:</source>
        <translation>Vom Hugging Face Hub:</translation>
    </message>
    <message>
        <source>Asking the Hub for %1…</source>
        <translation>Frage den Hub nach %1…</translation>
    </message>
    <message>
        <source>%1 of %2 MiB</source>
        <translation>%1 von %2 MiB</translation>
    </message>
    <message>
        <source> · %1 MiB/s</source>
        <translation> · %1 MiB/s</translation>
    </message>
    <message>
        <source> · %1 s left</source>
        <translation> · noch %1 s</translation>
    </message>
    <message>
        <source>A Hugging Face folder (its config.json), a GGUF file or a llama2.c .bin checkpoint</source>
        <translation>Ein Hugging-Face-Ordner (seine config.json), eine GGUF-Datei oder ein llama2.c-Checkpoint (.bin)</translation>
    </message>
</context>
<context>
    <name>expertscope::AnalysisProgress</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the analysis; finished concepts are kept (Esc)</source>
        <translation>Analyse anhalten; fertige Konzepte bleiben erhalten (Esc)</translation>
    </message>
    <message>
        <source>%1 (%2/%3)</source>
        <translation>%1 (%2/%3)</translation>
    </message>
    <message>
        <source>%1 sentences/s, %2 left</source>
        <translation>%1 Sätze/s, noch %2</translation>
    </message>
</context>
<context>
    <name>expertscope::CoLearningView</name>
    <message>
        <source>How many of each concept's best experts are compared</source>
        <translation>Wie viele der besten Experten jedes Konzepts verglichen werden</translation>
    </message>
    <message>
        <source>Concepts whose experts overlap most with the selected concept's: what an unknown concept resembles</source>
        <translation>Konzepte, deren Experten sich am stärksten mit denen des gewählten Konzepts überschneiden: wem ein unbekanntes Konzept ähnelt</translation>
    </message>
    <message>
        <source>Top-k experts:</source>
        <translation>Top-k-Experten:</translation>
    </message>
    <message>
        <source>Shared experts of the clicked cell:</source>
        <translation>Gemeinsame Experten der angeklickten Zelle:</translation>
    </message>
    <message>
        <source>Closest concepts to the selected one:</source>
        <translation>Dem gewählten Konzept nächste Konzepte:</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>%1 unit %2</source>
        <translation>%1 Einheit %2</translation>
    </message>
    <message>
        <source>Across the whole project</source>
        <translation>Im ganzen Projekt</translation>
    </message>
    <message>
        <source>Compare with every analysed concept of the project, in any concept set (same model and run settings), not only with this set's</source>
        <translation>Mit jedem analysierten Konzept des Projekts vergleichen, in jeder Konzeptmenge (gleiches Modell, gleiche Laufeinstellungen), nicht nur mit denen dieser Menge</translation>
    </message>
    <message>
        <source>%1  %2 (in %3)</source>
        <translation>%1  %2 (in %3)</translation>
    </message>
</context>
<context>
    <name>expertscope::ConceptList</name>
    <message>
        <source>Search concepts (Ctrl+F)</source>
        <translation>Konzepte suchen (Strg+F)</translation>
    </message>
    <message>
        <source>Experts: units with an AP at or above the heatmap's threshold</source>
        <translation>Experten: Einheiten mit einer AP ab der Schwelle der Heatmap</translation>
    </message>
</context>
<context>
    <name>expertscope::ConceptTableModel</name>
    <message>
        <source>not analysed</source>
        <translation>nicht analysiert</translation>
    </message>
    <message>
        <source>Concept</source>
        <translation>Konzept</translation>
    </message>
    <message>
        <source>Best AP</source>
        <translation>Beste AP</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>Experten</translation>
    </message>
    <message>
        <source>Positives</source>
        <translation>Positive</translation>
    </message>
    <message>
        <source>Negatives</source>
        <translation>Negative</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>not computed</source>
        <translation>nicht berechnet</translation>
    </message>
    <message>
        <source>Stored before AUROC was computed: analyse again to compute it</source>
        <translation>Gespeichert, bevor AUROC berechnet wurde: zum Berechnen erneut analysieren</translation>
    </message>
    <message>
        <source>Best AUROC</source>
        <translation>Beste AUROC</translation>
    </message>
</context>
<context>
    <name>expertscope::ExpertisePanel</name>
    <message>
        <source>Units with an AP at or above this threshold count as experts</source>
        <translation>Einheiten mit einer AP ab dieser Schwelle gelten als Experten</translation>
    </message>
    <message>
        <source>AP ≥ 0.000: 00000 experts</source>
        <translation>AP ≥ 0.000: 00000 Experten</translation>
    </message>
    <message>
        <source>Colour map: all rise evenly in lightness and stay readable with colour-blindness</source>
        <translation>Farbskala: alle steigen gleichmäßig in der Helligkeit und bleiben bei Farbenblindheit lesbar</translation>
    </message>
    <message>
        <source>Experts per layer</source>
        <translation>Experten je Schicht</translation>
    </message>
    <message>
        <source>experts</source>
        <translation>Experten</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>AP threshold:</source>
        <translation>AP-Schwelle:</translation>
    </message>
    <message>
        <source>Colours:</source>
        <translation>Farben:</translation>
    </message>
    <message numerus="yes">
        <source>AP ≥ %1: %n expert(s)</source>
        <translation><numerusform>AP ≥ %1: %n Experte</numerusform><numerusform>AP ≥ %1: %n Experten</numerusform></translation>
    </message>
</context>
<context>
    <name>expertscope::GenerationPanel</name>
    <message>
        <source>The text the model continues; empty starts from the beginning-of-text token</source>
        <translation>Der Text, den das Modell fortsetzt; leer beginnt beim Textanfangs-Token</translation>
    </message>
    <message>
        <source>Forcing</source>
        <translation>Erzwingen</translation>
    </message>
    <message>
        <source>Add concept</source>
        <translation>Konzept hinzufügen</translation>
    </message>
    <message>
        <source>Force or suppress several concepts at once, each with its own number of experts</source>
        <translation>Mehrere Konzepte zugleich erzwingen oder unterdrücken, jedes mit eigener Expertenzahl</translation>
    </message>
    <message>
        <source>Multiplies the on value the experts are forced to</source>
        <translation>Vervielfacht den An-Wert, auf den die Experten gesetzt werden</translation>
    </message>
    <message>
        <source>all tokens</source>
        <translation>alle Tokens</translation>
    </message>
    <message>
        <source>new tokens only</source>
        <translation>nur neue Tokens</translation>
    </message>
    <message>
        <source>Force at every position, the prompt included, or only where new tokens are predicted</source>
        <translation>An jeder Position erzwingen, den Prompt eingeschlossen, oder nur dort, wo neue Tokens vorhergesagt werden</translation>
    </message>
    <message>
        <source>Strength:</source>
        <translation>Stärke:</translation>
    </message>
    <message>
        <source>Positions:</source>
        <translation>Positionen:</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <source>0 always takes the most likely token</source>
        <translation>0 nimmt immer das wahrscheinlichste Token</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> Tokens</translation>
    </message>
    <message>
        <source>Both texts use this seed, so only the forcing differs</source>
        <translation>Beide Texte verwenden diesen Startwert, nur das Erzwingen unterscheidet sie</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>Temperatur:</translation>
    </message>
    <message>
        <source>Top-p:</source>
        <translation>Top-p:</translation>
    </message>
    <message>
        <source>Length:</source>
        <translation>Länge:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Startwert:</translation>
    </message>
    <message>
        <source>Without forcing</source>
        <translation>Ohne Erzwingen</translation>
    </message>
    <message>
        <source>With forcing</source>
        <translation>Mit Erzwingen</translation>
    </message>
    <message>
        <source>Prompt:</source>
        <translation>Prompt:</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Generieren</translation>
    </message>
    <message>
        <source>Generate now (Ctrl+Enter); any change also regenerates</source>
        <translation>Jetzt generieren (Strg+Eingabe); jede Änderung generiert ebenfalls neu</translation>
    </message>
    <message>
        <source>Generation failed: %1</source>
        <translation>Generierung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>The concept whose experts are forced</source>
        <translation>Das Konzept, dessen Experten erzwungen werden</translation>
    </message>
    <message>
        <source>How many of the concept's best experts are forced (logarithmic)</source>
        <translation>Wie viele der besten Experten des Konzepts erzwungen werden (logarithmisch)</translation>
    </message>
    <message>
        <source>%1 experts</source>
        <translation>%1 Experten</translation>
    </message>
    <message>
        <source>Force the experts on, to their typical value on positives, or suppress the concept</source>
        <translation>Die Experten auf ihren typischen Wert bei Positiven setzen oder das Konzept unterdrücken</translation>
    </message>
    <message>
        <source>Remove this concept from the forcing</source>
        <translation>Dieses Konzept aus dem Erzwingen entfernen</translation>
    </message>
    <message>
        <source>Add a model to the project to generate.</source>
        <translation>Fügen Sie dem Projekt ein Modell hinzu, um zu generieren.</translation>
    </message>
    <message>
        <source>Empty: the model starts a text of its own</source>
        <translation>Leer: das Modell beginnt einen eigenen Text</translation>
    </message>
    <message>
        <source>Go on after the end of a text</source>
        <translation>Nach dem Ende eines Textes weitermachen</translation>
    </message>
    <message>
        <source>Keep generating new texts, one a line, until the length is reached</source>
        <translation>Weitere Texte erzeugen, einen je Zeile, bis die Länge erreicht ist</translation>
    </message>
    <message>
        <source>Suggested by the project: %1</source>
        <translation>Vom Projekt vorgeschlagen: %1</translation>
    </message>
    <message>
        <source>This model is an encoder: it does not write on, it fills in. Write [MASK] (RoBERTa: &lt;mask&gt;) in the prompt; the panes show its ten likeliest tokens there, without and with forcing.</source>
        <translation>Dieses Modell ist ein Encoder: Es schreibt nicht weiter, es füllt Lücken. Schreiben Sie [MASK] (RoBERTa: &lt;mask&gt;) in den Anfangstext; die Felder zeigen dort seine zehn wahrscheinlichsten Tokens, ohne und mit Erzwingen.</translation>
    </message>
    <message>
        <source>A text with [MASK] where the model should fill in a word</source>
        <translation>Ein Text mit [MASK], wo das Modell ein Wort einsetzen soll</translation>
    </message>
</context>
<context>
    <name>expertscope::HeatmapView</name>
    <message>
        <source>Wheel or +/- to zoom, drag or arrows to pan, Home to reset; click a unit to inspect it</source>
        <translation>Mausrad oder +/- zoomt, Ziehen oder Pfeiltasten verschieben, Pos1 setzt zurück; Klick auf eine Einheit untersucht sie</translation>
    </message>
    <message>
        <source>No results for this concept yet</source>
        <translation>Noch keine Ergebnisse für dieses Konzept</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>unit (within its probe point)</source>
        <translation>Einheit (innerhalb ihres Messpunkts)</translation>
    </message>
    <message>
        <source>AP</source>
        <translation>AP</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; unit %2&lt;br&gt;AP %3&lt;br&gt;on_p50 %4&lt;br&gt;off_mean %5</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; Einheit %2&lt;br&gt;AP %3&lt;br&gt;on_p50 %4&lt;br&gt;off_mean %5</translation>
    </message>
</context>
<context>
    <name>expertscope::MainWindow</name>
    <message>
        <source>Expertscope</source>
        <translation>Expertscope</translation>
    </message>
    <message>
        <source>&amp;Heatmap</source>
        <translation>&amp;Heatmap</translation>
    </message>
    <message>
        <source>&amp;Co-learning</source>
        <translation>&amp;Ko-Lernen</translation>
    </message>
    <message>
        <source>&amp;Generation</source>
        <translation>&amp;Generierung</translation>
    </message>
    <message>
        <source>Concepts</source>
        <translation>Konzepte</translation>
    </message>
    <message>
        <source>Unit inspector</source>
        <translation>Einheiten-Inspektor</translation>
    </message>
    <message>
        <source>%1 unit %2</source>
        <translation>%1 Einheit %2</translation>
    </message>
    <message>
        <source>%1 – Expertscope</source>
        <translation>%1 – Expertscope</translation>
    </message>
    <message>
        <source>Some concepts were refused</source>
        <translation>Einige Konzepte wurden abgelehnt</translation>
    </message>
    <message>
        <source>The analysis stopped</source>
        <translation>Die Analyse wurde angehalten</translation>
    </message>
    <message>
        <source>Generated</source>
        <translation>Generiert</translation>
    </message>
    <message>
        <source>Generation failed: %1</source>
        <translation>Generierung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Open a project (Ctrl+O), or create one (Ctrl+N) and add a model and concepts.</source>
        <translation>Öffnen Sie ein Projekt (Strg+O) oder legen Sie eines an (Strg+N) und fügen Sie ein Modell und Konzepte hinzu.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>&amp;New project…</source>
        <translation>&amp;Neues Projekt…</translation>
    </message>
    <message>
        <source>Create an empty project file</source>
        <translation>Eine leere Projektdatei anlegen</translation>
    </message>
    <message>
        <source>&amp;Open project…</source>
        <translation>Projekt ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a project file</source>
        <translation>Eine Projektdatei öffnen</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>Add &amp;model…</source>
        <translation>&amp;Modell hinzufügen…</translation>
    </message>
    <message>
        <source>Add a Hugging Face model folder or a llama2.c checkpoint</source>
        <translation>Einen Hugging-Face-Modellordner oder einen llama2.c-Checkpoint hinzufügen</translation>
    </message>
    <message>
        <source>Add &amp;concepts…</source>
        <translation>&amp;Konzepte hinzufügen…</translation>
    </message>
    <message>
        <source>Import concepts: an ml-selfcond folder, a CSV/TSV table or text files</source>
        <translation>Konzepte importieren: einen ml-selfcond-Ordner, eine CSV/TSV-Tabelle oder Textdateien</translation>
    </message>
    <message>
        <source>&amp;Export figure…</source>
        <translation>Abbildung &amp;exportieren…</translation>
    </message>
    <message>
        <source>Save the current view as PNG, SVG or PDF</source>
        <translation>Die aktuelle Ansicht als PNG, SVG oder PDF speichern</translation>
    </message>
    <message>
        <source>Cop&amp;y figure</source>
        <translation>Abbildung &amp;kopieren</translation>
    </message>
    <message>
        <source>Copy the current view as an image</source>
        <translation>Die aktuelle Ansicht als Bild kopieren</translation>
    </message>
    <message>
        <source>Export &amp;table…</source>
        <translation>&amp;Tabelle exportieren…</translation>
    </message>
    <message>
        <source>Save the concept table as CSV</source>
        <translation>Die Konzepttabelle als CSV speichern</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Language, colours and analysis settings</source>
        <translation>Sprache, Farben und Analyse-Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Quit Expertscope</source>
        <translation>Expertscope beenden</translation>
    </message>
    <message>
        <source>&amp;Analysis</source>
        <translation>&amp;Analyse</translation>
    </message>
    <message>
        <source>&amp;Run analysis</source>
        <translation>Analyse &amp;starten</translation>
    </message>
    <message>
        <source>Find every unit's expertise for every concept (resumes an interrupted run)</source>
        <translation>Die Expertise jeder Einheit für jedes Konzept bestimmen (setzt einen unterbrochenen Lauf fort)</translation>
    </message>
    <message>
        <source>&amp;Cancel analysis</source>
        <translation>Analyse &amp;abbrechen</translation>
    </message>
    <message>
        <source>Stop the analysis; finished concepts are kept</source>
        <translation>Analyse anhalten; fertige Konzepte bleiben erhalten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Find concept</source>
        <translation>Konzept suchen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Open &amp;demo project</source>
        <translation>&amp;Demoprojekt öffnen</translation>
    </message>
    <message>
        <source>&amp;About Expertscope</source>
        <translation>&amp;Über Expertscope</translation>
    </message>
    <message>
        <source>An analysis is running</source>
        <translation>Eine Analyse läuft</translation>
    </message>
    <message>
        <source>Quit and stop the analysis? Finished concepts are kept, and the run resumes when started again.</source>
        <translation>Beenden und die Analyse anhalten? Fertige Konzepte bleiben erhalten, und der Lauf wird beim nächsten Start fortgesetzt.</translation>
    </message>
    <message>
        <source>New project</source>
        <translation>Neues Projekt</translation>
    </message>
    <message>
        <source>Expertscope projects (*.esproj)</source>
        <translation>Expertscope-Projekte (*.esproj)</translation>
    </message>
    <message>
        <source>The file exists</source>
        <translation>Die Datei existiert</translation>
    </message>
    <message>
        <source>%1 already exists; open it instead, or choose another name.</source>
        <translation>%1 existiert bereits; öffnen Sie die Datei oder wählen Sie einen anderen Namen.</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>Projekt öffnen</translation>
    </message>
    <message>
        <source>Expertscope projects (*.esproj);;All files (*)</source>
        <translation>Expertscope-Projekte (*.esproj);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Concept files (concept_list.csv *.csv *.tsv *.txt)</source>
        <translation>Konzeptdateien (concept_list.csv *.csv *.tsv *.txt)</translation>
    </message>
    <message>
        <source>Unknown file</source>
        <translation>Unbekannte Datei</translation>
    </message>
    <message>
        <source>%1 is not a project, a model or a concept set.</source>
        <translation>%1 ist weder ein Projekt noch ein Modell noch eine Konzeptsammlung.</translation>
    </message>
    <message>
        <source>AP for “%1” – %2</source>
        <translation>AP für „%1“ – %2</translation>
    </message>
    <message>
        <source>This view has no figure to export.</source>
        <translation>Diese Ansicht hat keine exportierbare Abbildung.</translation>
    </message>
    <message>
        <source>Nothing to export</source>
        <translation>Nichts zu exportieren</translation>
    </message>
    <message>
        <source>Switch to the heatmap or co-learning view to export a figure.</source>
        <translation>Wechseln Sie zur Heatmap- oder Ko-Lernen-Ansicht, um eine Abbildung zu exportieren.</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>Abbildung exportieren</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG-Bild (*.png);;SVG-Zeichnung (*.svg);;PDF-Dokument (*.pdf)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Export table</source>
        <translation>Tabelle exportieren</translation>
    </message>
    <message>
        <source>CSV table (*.csv)</source>
        <translation>CSV-Tabelle (*.csv)</translation>
    </message>
    <message>
        <source>About Expertscope</source>
        <translation>Über Expertscope</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Expertscope %1&lt;/h3&gt;&lt;p&gt;Find and use expert units in Transformer language models.&lt;/p&gt;&lt;p&gt;Qt %2&lt;br&gt;%3&lt;br&gt;%4&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Expertscope %1&lt;/h3&gt;&lt;p&gt;Experteneinheiten in Transformer-Sprachmodellen finden und nutzen.&lt;/p&gt;&lt;p&gt;Qt %2&lt;br&gt;%3&lt;br&gt;%4&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Add model</source>
        <translation>Modell hinzufügen</translation>
    </message>
    <message>
        <source>Tokenizer (cancel: the one beside the model)</source>
        <translation>Tokenizer (Abbrechen: der neben dem Modell)</translation>
    </message>
    <message>
        <source>sentencepiece models (*.model)</source>
        <translation>sentencepiece-Modelle (*.model)</translation>
    </message>
    <message>
        <source>The model the project analyses</source>
        <translation>Das Modell, das das Projekt analysiert</translation>
    </message>
    <message>
        <source>The folder has no tokenizer: choose one (cancel: token ids only)</source>
        <translation>Der Ordner hat keinen Tokenizer: bitte einen wählen (Abbrechen: nur Token-IDs)</translation>
    </message>
    <message>
        <source>Tokenizers (*.model vocab.json tokenizer.json)</source>
        <translation>Tokenizer (*.model vocab.json tokenizer.json)</translation>
    </message>
    <message>
        <source>No expert to show</source>
        <translation>Kein Experte anzuzeigen</translation>
    </message>
    <message>
        <source>The concept has no results yet: analyse it first (Ctrl+R).</source>
        <translation>Das Konzept hat noch keine Ergebnisse: zuerst analysieren (Strg+R).</translation>
    </message>
    <message>
        <source>Go to &amp;best expert</source>
        <translation>Zum &amp;besten Experten</translation>
    </message>
    <message>
        <source>Select the concept's unit with the highest AP in the heatmap and the inspector</source>
        <translation>Die Einheit des Konzepts mit der höchsten AP in der Heatmap und im Inspektor auswählen</translation>
    </message>
    <message>
        <source>&amp;Steering curve</source>
        <translation>&amp;Steuerungskurve</translation>
    </message>
    <message>
        <source>Figures with their &amp;data</source>
        <translation>Abbildungen mit ihren &amp;Daten</translation>
    </message>
    <message>
        <source>Write the plotted numbers (CSV) and a manifest (JSON: model, weights' SHA-256, concept set, run settings, version, date) beside every exported figure</source>
        <translation>Neben jede exportierte Abbildung die dargestellten Zahlen (CSV) und ein Manifest schreiben (JSON: Modell, SHA-256 der Gewichte, Konzeptmenge, Laufeinstellungen, Version, Datum)</translation>
    </message>
    <message>
        <source>Models (config.json *.gguf *.bin);;All files (*)</source>
        <translation>Modelle (config.json *.gguf *.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&amp;Text probe</source>
        <translation>&amp;Textsonde</translation>
    </message>
    <message>
        <source>&amp;Model ranking</source>
        <translation>&amp;Modell-Rangfolge</translation>
    </message>
    <message>
        <source>&amp;Locate model…</source>
        <translation>Modell &amp;suchen…</translation>
    </message>
    <message>
        <source>Point the project to its model's files after they moved</source>
        <translation>Dem Projekt die Dateien seines Modells zeigen, nachdem sie verschoben wurden</translation>
    </message>
    <message>
        <source>WordNet concepts analysed with the small model that ships with Expertscope (built on first use)</source>
        <translation>WordNet-Konzepte, analysiert mit dem kleinen Modell, das Expertscope beiliegt (beim ersten Öffnen erstellt)</translation>
    </message>
    <message>
        <source>The demo project was not built; Help &gt; Open demo project builds it.</source>
        <translation>Das Demoprojekt wurde nicht erstellt; Hilfe &gt; Demoprojekt öffnen erstellt es.</translation>
    </message>
    <message>
        <source>The demo project could not be built</source>
        <translation>Das Demoprojekt konnte nicht erstellt werden</translation>
    </message>
    <message>
        <source>The model was not found</source>
        <translation>Das Modell wurde nicht gefunden</translation>
    </message>
    <message>
        <source>Locate the model</source>
        <translation>Modell suchen</translation>
    </message>
    <message>
        <source>This project's results came from the model at
%1
which is not there any more (moved or deleted?).

The results stay viewable; generation, the inspector's sentences and the text probe need the model. Locate its files now?</source>
        <translation>Die Ergebnisse dieses Projekts stammen vom Modell unter
%1
das dort nicht mehr liegt (verschoben oder gelöscht?).

Die Ergebnisse bleiben sichtbar; Generierung, die Sätze des Inspektors und die Textprobe brauchen das Modell. Seine Dateien jetzt suchen?</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Nicht jetzt</translation>
    </message>
    <message>
        <source>No project</source>
        <translation>Kein Projekt</translation>
    </message>
    <message>
        <source>Open a project before locating its model.</source>
        <translation>Öffnen Sie ein Projekt, bevor Sie sein Modell suchen.</translation>
    </message>
    <message>
        <source>Locate the model (%1)</source>
        <translation>Modell suchen (%1)</translation>
    </message>
    <message>
        <source>Building the demo project…</source>
        <translation>Das Demoprojekt wird erstellt…</translation>
    </message>
</context>
<context>
    <name>expertscope::MatrixView</name>
    <message>
        <source>Co-learning needs at least two analysed concepts</source>
        <translation>Ko-Lernen braucht mindestens zwei analysierte Konzepte</translation>
    </message>
    <message>
        <source>Shared top-%1 experts (fraction of k)</source>
        <translation>Gemeinsame Top-%1-Experten (Anteil an k)</translation>
    </message>
    <message>
        <source>%1 × %2: %3 shared</source>
        <translation>%1 × %2: %3 gemeinsam</translation>
    </message>
</context>
<context>
    <name>expertscope::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>one per core</source>
        <translation>einer je Kern</translation>
    </message>
    <message>
        <source>maximum over the tokens</source>
        <translation>Maximum über die Tokens</translation>
    </message>
    <message>
        <source>mean over the tokens</source>
        <translation>Mittelwert über die Tokens</translation>
    </message>
    <message>
        <source>ml-selfcond (padded maximum)</source>
        <translation>ml-selfcond (Maximum mit Auffüllung)</translation>
    </message>
    <message>
        <source>How a unit's response to a sentence is made from its values at each token</source>
        <translation>Wie die Antwort einer Einheit auf einen Satz aus ihren Werten an jedem Token gebildet wird</translation>
    </message>
    <message>
        <source>the model's context</source>
        <translation>der Kontext des Modells</translation>
    </message>
    <message>
        <source>Longer sentences (in tokens) are dropped or cut; ml-selfcond pooling needs a length</source>
        <translation>Längere Sätze (in Tokens) werden verworfen oder gekürzt; ml-selfcond-Pooling braucht eine Länge</translation>
    </message>
    <message>
        <source>dropped (as ml-selfcond)</source>
        <translation>verworfen (wie ml-selfcond)</translation>
    </message>
    <message>
        <source>cut to the length</source>
        <translation>auf die Länge gekürzt</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Colour map:</source>
        <translation>Farbskala:</translation>
    </message>
    <message>
        <source>Analysis threads:</source>
        <translation>Analyse-Threads:</translation>
    </message>
    <message>
        <source>Pooling:</source>
        <translation>Pooling:</translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation>Sequenzlänge:</translation>
    </message>
    <message>
        <source>Longer sentences are:</source>
        <translation>Längere Sätze werden:</translation>
    </message>
</context>
<context>
    <name>expertscope::ProbeResponsesModel</name>
    <message>
        <source>%1 unit %2</source>
        <translation>%1 Einheit %2</translation>
    </message>
    <message>
        <source>BOS</source>
        <translation>BOS</translation>
    </message>
</context>
<context>
    <name>expertscope::ProjectSession</name>
    <message>
        <source>Cannot open a project</source>
        <translation>Ein Projekt kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>An analysis is running; cancel it first.</source>
        <translation>Eine Analyse läuft; brechen Sie sie zuerst ab.</translation>
    </message>
    <message>
        <source>Cannot open the project</source>
        <translation>Das Projekt kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>No project</source>
        <translation>Kein Projekt</translation>
    </message>
    <message>
        <source>Create or open a project before adding a model.</source>
        <translation>Legen Sie ein Projekt an oder öffnen Sie eines, bevor Sie ein Modell hinzufügen.</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 wird geladen…</translation>
    </message>
    <message>
        <source>The model could not be loaded</source>
        <translation>Das Modell konnte nicht geladen werden</translation>
    </message>
    <message>
        <source>Stored results stay viewable; generation and the inspector's sentences need the model.</source>
        <translation>Gespeicherte Ergebnisse bleiben sichtbar; Generierung und die Sätze des Inspektors brauchen das Modell.</translation>
    </message>
    <message>
        <source>Cannot store the model in the project</source>
        <translation>Das Modell kann nicht im Projekt gespeichert werden</translation>
    </message>
    <message>
        <source>Create or open a project before adding concepts.</source>
        <translation>Legen Sie ein Projekt an oder öffnen Sie eines, bevor Sie Konzepte hinzufügen.</translation>
    </message>
    <message>
        <source>The concepts could not be imported</source>
        <translation>Die Konzepte konnten nicht importiert werden</translation>
    </message>
    <message>
        <source>Nothing to analyse</source>
        <translation>Nichts zu analysieren</translation>
    </message>
    <message>
        <source>Open or create a project first.</source>
        <translation>Öffnen Sie zuerst ein Projekt oder legen Sie eines an.</translation>
    </message>
    <message>
        <source>Add a model to the project first.</source>
        <translation>Fügen Sie dem Projekt zuerst ein Modell hinzu.</translation>
    </message>
    <message>
        <source>Add a concept set to the project first.</source>
        <translation>Fügen Sie dem Projekt zuerst eine Konzeptsammlung hinzu.</translation>
    </message>
    <message>
        <source>Analysing…</source>
        <translation>Analyse läuft…</translation>
    </message>
    <message numerus="yes">
        <source>%n concept(s) analysed</source>
        <translation><numerusform>%n Konzept analysiert</numerusform><numerusform>%n Konzepte analysiert</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n refused</source>
        <translation><numerusform>%n abgelehnt</numerusform><numerusform>%n abgelehnt</numerusform></translation>
    </message>
    <message>
        <source>Analysis cancelled; finished concepts are saved and the run resumes when started again.</source>
        <translation>Analyse abgebrochen; fertige Konzepte sind gespeichert, und der Lauf wird beim nächsten Start fortgesetzt.</translation>
    </message>
    <message>
        <source>The unit's sentences could not be computed</source>
        <translation>Die Sätze der Einheit konnten nicht berechnet werden</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Kein Modell geladen.</translation>
    </message>
    <message>
        <source>%1M parameters</source>
        <translation>%1 Mio. Parameter</translation>
    </message>
    <message>
        <source>no tokenizer</source>
        <translation>kein Tokenizer</translation>
    </message>
    <message>
        <source>The model has no tokenizer</source>
        <translation>Das Modell hat keinen Tokenizer</translation>
    </message>
    <message>
        <source>%1 has no tokenizer Expertscope can read, and an analysis needs the sentences as tokens. Add the model again and choose its tokenizer (File &gt; Add model…).</source>
        <translation>%1 hat keinen Tokenizer, den Expertscope lesen kann, und eine Analyse braucht die Sätze als Tokens. Fügen Sie das Modell erneut hinzu und wählen Sie seinen Tokenizer (Datei &gt; Modell hinzufügen…).</translation>
    </message>
    <message>
        <source>The concept has no results yet: analyse it first.</source>
        <translation>Das Konzept hat noch keine Ergebnisse: zuerst analysieren.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>No concept has results yet: analyse first (Ctrl+R).</source>
        <translation>Noch kein Konzept hat Ergebnisse: zuerst analysieren (Strg+R).</translation>
    </message>
    <message>
        <source>Open a project before locating its model.</source>
        <translation>Öffnen Sie ein Projekt, bevor Sie sein Modell suchen.</translation>
    </message>
    <message>
        <source>Not this project's model</source>
        <translation>Nicht das Modell dieses Projekts</translation>
    </message>
    <message>
        <source>The model's new place could not be stored</source>
        <translation>Der neue Ort des Modells konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Cannot read the project</source>
        <translation>Das Projekt kann nicht gelesen werden</translation>
    </message>
</context>
<context>
    <name>expertscope::RankingView</name>
    <message>
        <source>a CSV table: the header “model,score”, then one row per project, the model named by its project file's name without the extension (“runs/gpt2.esproj”: “gpt2,23.5”)</source>
        <translation>eine CSV-Tabelle: die Kopfzeile „model,score“, dann eine Zeile je Projekt, das Modell benannt nach dem Namen seiner Projektdatei ohne Endung („runs/gpt2.esproj“: „gpt2,23.5“)</translation>
    </message>
    <message>
        <source>undefined</source>
        <translation>undefiniert</translation>
    </message>
    <message>
        <source>[no defined resample]</source>
        <translation>[keine definierte Stichprobe]</translation>
    </message>
    <message>
        <source>One project file per model, all analysed on the same concepts; at least 3. A model is named by its file's name without the extension, as in the scores file.</source>
        <translation>Eine Projektdatei je Modell, alle auf denselben Konzepten analysiert; mindestens 3. Ein Modell heißt wie seine Datei ohne Endung, wie in der Bewertungsdatei.</translation>
    </message>
    <message>
        <source>Add projects…</source>
        <translation>Projekte hinzufügen …</translation>
    </message>
    <message>
        <source>Add project files (*.esproj), several at once: one per model</source>
        <translation>Projektdateien (*.esproj) hinzufügen, mehrere zugleich: eine je Modell</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Take the selected projects off the list (the files are not touched)</source>
        <translation>Die gewählten Projekte von der Liste nehmen (die Dateien bleiben unberührt)</translation>
    </message>
    <message>
        <source>CSV file: model,score</source>
        <translation>CSV-Datei: model,score</translation>
    </message>
    <message>
        <source>The models' scores: %1</source>
        <translation>Die Bewertungen der Modelle: %1</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Wählen …</translation>
    </message>
    <message>
        <source>Choose the scores file, %1</source>
        <translation>Die Bewertungsdatei wählen, %1</translation>
    </message>
    <message>
        <source>Lower score is better (a loss)</source>
        <translation>Niedrigerer Wert ist besser (ein Verlust)</translation>
    </message>
    <message>
        <source>For a loss or a perplexity: −score is correlated, so a positive ρ still means “more experts, better model” (r² does not change)</source>
        <translation>Für einen Verlust oder eine Perplexität: −Wert wird korreliert, sodass ein positives ρ weiter „mehr Experten, besseres Modell“ bedeutet (r² ändert sich nicht)</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>Einordnen</translation>
    </message>
    <message>
        <source>Count every model's experts at each of 501 AP thresholds from 0.5 to 1.0 and correlate them with the scores: r² and ρ with 95% intervals from 2000 bootstrap resamples of the models</source>
        <translation>Die Experten jedes Modells an jeder von 501 AP-Schwellen von 0,5 bis 1,0 zählen und mit den Bewertungen korrelieren: r² und ρ mit 95-%-Intervallen aus 2000 Bootstrap-Stichproben der Modelle</translation>
    </message>
    <message>
        <source>Add 3 or more projects and a scores file, then Rank.</source>
        <translation>Drei oder mehr Projekte und eine Bewertungsdatei hinzufügen, dann Einordnen.</translation>
    </message>
    <message>
        <source>The AP threshold t the scatter plot shows: a unit with AP ≥ t is an expert</source>
        <translation>Die AP-Schwelle t des Streudiagramms: eine Einheit mit AP ≥ t ist ein Experte</translation>
    </message>
    <message>
        <source>r² and ρ by threshold (shaded: 95% CI)</source>
        <translation>r² und ρ je Schwelle (schattiert: 95-%-KI)</translation>
    </message>
    <message>
        <source>Experts and scores</source>
        <translation>Experten und Bewertungen</translation>
    </message>
    <message>
        <source>Threshold t:</source>
        <translation>Schwelle t:</translation>
    </message>
    <message>
        <source>Projects, one per model:</source>
        <translation>Projekte, eines je Modell:</translation>
    </message>
    <message>
        <source>Scores:</source>
        <translation>Bewertungen:</translation>
    </message>
    <message>
        <source>Add projects</source>
        <translation>Projekte hinzufügen</translation>
    </message>
    <message>
        <source>Expertscope projects (*.esproj);;All files (*)</source>
        <translation>Expertscope-Projekte (*.esproj);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Scores</source>
        <translation>Bewertungen</translation>
    </message>
    <message>
        <source>CSV tables (*.csv);;All files (*)</source>
        <translation>CSV-Tabellen (*.csv);;Alle Dateien (*)</translation>
    </message>
    <message numerus="yes">
        <source>Ranking needs at least 3 models, one project each (%n listed).</source>
        <translation><numerusform>Die Rangfolge braucht mindestens 3 Modelle, je ein Projekt (%n angegeben).</numerusform><numerusform>Die Rangfolge braucht mindestens 3 Modelle, je ein Projekt (%n angegeben).</numerusform></translation>
    </message>
    <message>
        <source>Choose a scores file: %1.</source>
        <translation>Eine Bewertungsdatei wählen: %1.</translation>
    </message>
    <message numerus="yes">
        <source>Ranking %n model(s)…</source>
        <translation><numerusform>%n Modell wird eingeordnet …</numerusform><numerusform>%n Modelle werden eingeordnet …</numerusform></translation>
    </message>
    <message>
        <source>Ranking failed: %1</source>
        <translation>Einordnen fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>Ranked %n model(s) on the concepts they share: %1.</source>
        <translation><numerusform>%n Modell auf den gemeinsamen Konzepten eingeordnet: %1.</numerusform><numerusform>%n Modelle auf den gemeinsamen Konzepten eingeordnet: %1.</numerusform></translation>
    </message>
    <message>
        <source>AP threshold t</source>
        <translation>AP-Schwelle t</translation>
    </message>
    <message>
        <source>r², ρ</source>
        <translation>r², ρ</translation>
    </message>
    <message>
        <source>r²</source>
        <translation>r²</translation>
    </message>
    <message>
        <source>ρ</source>
        <translation>ρ</translation>
    </message>
    <message>
        <source>t shown</source>
        <translation>t gezeigt</translation>
    </message>
    <message>
        <source>t = %1: r² = %2, ρ = %3</source>
        <translation>t = %1: r² = %2, ρ = %3</translation>
    </message>
    <message>
        <source>experts (AP ≥ t)</source>
        <translation>Experten (AP ≥ t)</translation>
    </message>
    <message>
        <source>score (↓ better)</source>
        <translation>Wert (↓ besser)</translation>
    </message>
    <message>
        <source>score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>%1: %2 experts, score %3</source>
        <translation>%1: %2 Experten, Wert %3</translation>
    </message>
    <message>
        <source>Best threshold by r² of the number of experts: t = %1, r² = %2, ρ = %3 (95% intervals). Reported only: nothing else in the application uses it.</source>
        <translation>Beste Schwelle nach r² der Expertenzahl: t = %1, r² = %2, ρ = %3 (95-%-Intervalle). Nur berichtet: nichts sonst in der Anwendung verwendet sie.</translation>
    </message>
    <message>
        <source>r² is undefined at every threshold: the scores, or every threshold's expert counts, are all equal.</source>
        <translation>r² ist an jeder Schwelle undefiniert: die Bewertungen oder die Expertenzahlen jeder Schwelle sind alle gleich.</translation>
    </message>
    <message>
        <source>experts(t) = units with AP ≥ t, summed over the %1 concepts every project shares; r² = Pearson's r(score, experts)²; ρ = Spearman's rank correlation; 95% intervals: percentile bootstrap over %2 resamples of the %3 models (seed %4).</source>
        <translation>Experten(t) = Einheiten mit AP ≥ t, summiert über die %1 Konzepte, die alle Projekte teilen; r² = Pearsons r(Wert, Experten)²; ρ = Spearmans Rangkorrelation; 95-%-Intervalle: Perzentil-Bootstrap über %2 Stichproben der %3 Modelle (Startwert %4).</translation>
    </message>
    <message>
        <source>Lower score is better: −score is correlated.</source>
        <translation>Niedrigerer Wert ist besser: −Wert wird korreliert.</translation>
    </message>
</context>
<context>
    <name>expertscope::SteeringView</name>
    <message>
        <source>Numbers of top experts forced, separated by commas</source>
        <translation>Anzahlen erzwungener Top-Experten, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>Generations per k, with seeds 1, 2, …: the spread over them is shown</source>
        <translation>Erzeugungen je k, mit Seeds 1, 2, …: ihre Streuung wird gezeigt</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> Tokens</translation>
    </message>
    <message>
        <source>Empty: texts of the model's own</source>
        <translation>Leer: eigene Texte des Modells</translation>
    </message>
    <message>
        <source>With a prompt, the curve also shows the probability that the next token starts a target word</source>
        <translation>Mit einem Prompt zeigt die Kurve auch die Wahrscheinlichkeit, dass das nächste Token ein Zielwort beginnt</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Steering curve</source>
        <translation>Steuerungskurve</translation>
    </message>
    <message>
        <source>Concept:</source>
        <translation>Konzept:</translation>
    </message>
    <message>
        <source>Target words:</source>
        <translation>Zielwörter:</translation>
    </message>
    <message>
        <source>Experts forced (k):</source>
        <translation>Erzwungene Experten (k):</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>Modus:</translation>
    </message>
    <message>
        <source>Seeds:</source>
        <translation>Seeds:</translation>
    </message>
    <message>
        <source>Length:</source>
        <translation>Länge:</translation>
    </message>
    <message>
        <source>Prompt:</source>
        <translation>Prompt:</translation>
    </message>
    <message>
        <source>Steering “%1”: %2 seeds per k</source>
        <translation>Steuerung „%1“: %2 Seeds je k</translation>
    </message>
    <message>
        <source>experts forced (k)</source>
        <translation>erzwungene Experten (k)</translation>
    </message>
    <message>
        <source>target words per word</source>
        <translation>Zielwörter je Wort</translation>
    </message>
    <message>
        <source>perplexity (unforced model)</source>
        <translation>Perplexität (Modell ohne Erzwingen)</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <source>k = %1: rate %2 (k = 0: %3), perplexity %4 (k = 0: %5).</source>
        <translation>k = %1: Anteil %2 (k = 0: %3), Perplexität %4 (k = 0: %5).</translation>
    </message>
    <message>
        <source>AurA point</source>
        <translation>AurA-Punkt</translation>
    </message>
    <message>
        <source>Also AurA suppression (every unit with AUROC above 0.5 dampened), as one more point</source>
        <translation>Auch AurA-Unterdrückung (jede Einheit mit AUROC über 0,5 gedämpft) als weiteren Punkt</translation>
    </message>
    <message>
        <source>AurA</source>
        <translation>AurA</translation>
    </message>
    <message>
        <source>No AurA point: %1</source>
        <translation>Kein AurA-Punkt: %1</translation>
    </message>
    <message>
        <source>target rate</source>
        <translation>Zielanteil</translation>
    </message>
    <message>
        <source>P(first token)</source>
        <translation>P(erstes Token)</translation>
    </message>
    <message>
        <source>± 1 sd</source>
        <translation>± 1 SA</translation>
    </message>
    <message>
        <source>Words counted in the generated texts, separated by commas (whole words, any case). Default: the concept's own words (for the demo, the WordNet lemmas under it), else its name</source>
        <translation>In den erzeugten Texten gezählte Wörter, durch Kommas getrennt (ganze Wörter, Groß-/Kleinschreibung egal). Vorgabe: die eigenen Wörter des Konzepts (in der Demo die WordNet-Lemmata darunter), sonst sein Name</translation>
    </message>
    <message numerus="yes">
        <source>%n word(s)</source>
        <translation><numerusform>%n Wort</numerusform><numerusform>%n Wörter</numerusform></translation>
    </message>
</context>
<context>
    <name>expertscope::TextProbeView</name>
    <message>
        <source>Type or paste a text: after a pause the model reads it and ranks the concepts whose experts respond</source>
        <translation>Text eingeben oder einfügen: nach einer Pause liest das Modell ihn und ordnet die Konzepte, deren Experten ansprechen</translation>
    </message>
    <message>
        <source>Concept</source>
        <translation>Konzept</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>Experten</translation>
    </message>
    <message>
        <source>Peak token</source>
        <translation>Stärkstes Token</translation>
    </message>
    <message>
        <source>The concept's experts (rows) and their responses at each token; double-click an expert to inspect it</source>
        <translation>Die Experten des Konzepts (Zeilen) und ihre Antworten bei jedem Token; Doppelklick auf einen Experten öffnet ihn</translation>
    </message>
    <message>
        <source>Each concept's score at each token (0 as without the concept, 1 as with it)</source>
        <translation>Der Wert jedes Konzepts bei jedem Token (0 wie ohne das Konzept, 1 wie mit ihm)</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>Lese…</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation><numerusform>%n Token</numerusform><numerusform>%n Tokens</numerusform></translation>
    </message>
    <message>
        <source> (cut at the model's context)</source>
        <translation> (am Kontext des Modells abgeschnitten)</translation>
    </message>
    <message numerus="yes">
        <source>; %n concept(s) without an expert at the threshold are not ranked</source>
        <translation><numerusform>; %n Konzept ohne Experten ab der Schwelle wird nicht eingeordnet</numerusform><numerusform>; %n Konzepte ohne Experten ab der Schwelle werden nicht eingeordnet</numerusform></translation>
    </message>
    <message>
        <source>Score of a concept: the mean over its experts (AP at the threshold, its best 20) of where each expert's response, pooled over the text as the analysis pooled (by default its highest), lies between its mean on negatives (0) and its median on positives (1)</source>
        <translation>Wert eines Konzepts: der Mittelwert über seine Experten (AP ab der Schwelle, seine besten 20), wo die Antwort jedes Experten, über den Text gebündelt wie in der Analyse (standardmäßig ihr Höchststand), zwischen ihrem Mittel auf Negativen (0) und ihrem Median auf Positiven (1) liegt</translation>
    </message>
    <message>
        <source>Waiting for a pause in typing…</source>
        <translation>Warte auf eine Pause beim Tippen …</translation>
    </message>
    <message>
        <source>BOS</source>
        <translation>BOS</translation>
    </message>
</context>
<context>
    <name>expertscope::UnitInspector</name>
    <message>
        <source>Click a unit in the heatmap to inspect it.</source>
        <translation>Klicken Sie auf eine Einheit in der Heatmap, um sie zu untersuchen.</translation>
    </message>
    <message>
        <source>AP:</source>
        <translation>AP:</translation>
    </message>
    <message>
        <source>on_p50 (median on positives):</source>
        <translation>on_p50 (Median bei Positiven):</translation>
    </message>
    <message>
        <source>on_p90 (90th percentile on positives):</source>
        <translation>on_p90 (90. Perzentil bei Positiven):</translation>
    </message>
    <message>
        <source>off_mean (mean on negatives):</source>
        <translation>off_mean (Mittel bei Negativen):</translation>
    </message>
    <message>
        <source>Precision-recall</source>
        <translation>Precision-Recall</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>The sentences that excite the unit most and least appear here.</source>
        <translation>Hier erscheinen die Sätze, die die Einheit am stärksten und am schwächsten anregen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; unit %2 (global %3) for &lt;b&gt;%4&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; Einheit %2 (global %3) für &lt;b&gt;%4&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Precision-recall (computing…)</source>
        <translation>Precision-Recall (wird berechnet…)</translation>
    </message>
    <message>
        <source>Responses (computing…)</source>
        <translation>Antworten (werden berechnet…)</translation>
    </message>
    <message>
        <source>Precision-recall (AP %1)</source>
        <translation>Precision-Recall (AP %1)</translation>
    </message>
    <message>
        <source>Responses on positives and negatives</source>
        <translation>Antworten auf Positive und Negative</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>Einheit</translation>
    </message>
    <message>
        <source>chance</source>
        <translation>Zufall</translation>
    </message>
    <message>
        <source>recall</source>
        <translation>Recall</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>Precision</translation>
    </message>
    <message>
        <source>positives</source>
        <translation>Positive</translation>
    </message>
    <message>
        <source>negatives</source>
        <translation>Negative</translation>
    </message>
    <message>
        <source>response</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>sentences</source>
        <translation>Sätze</translation>
    </message>
    <message>
        <source>&lt;i&gt;Computing the sentences' activations…&lt;/i&gt;</source>
        <translation>&lt;i&gt;Die Aktivierungen der Sätze werden berechnet…&lt;/i&gt;</translation>
    </message>
    <message>
        <source>positive</source>
        <translation>positiv</translation>
    </message>
    <message>
        <source>negative</source>
        <translation>negativ</translation>
    </message>
    <message>
        <source>Sentences that excite the unit most</source>
        <translation>Sätze, die die Einheit am stärksten anregen</translation>
    </message>
    <message>
        <source>Sentences that excite the unit least</source>
        <translation>Sätze, die die Einheit am schwächsten anregen</translation>
    </message>
    <message>
        <source>Area under the ROC curve: the chance that the unit responds more to a positive sentence than to a negative one (ties count half). AurA suppression dampens units above 0.5.</source>
        <translation>Fläche unter der ROC-Kurve: die Wahrscheinlichkeit, dass die Einheit auf einen positiven Satz stärker anspricht als auf einen negativen (Gleichstände zählen halb). AurA-Unterdrückung dämpft Einheiten über 0,5.</translation>
    </message>
    <message>
        <source>AUROC:</source>
        <translation>AUROC:</translation>
    </message>
    <message>
        <source>not computed; analyse again</source>
        <translation>nicht berechnet; erneut analysieren</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Find and use expert units in Transformer language models.</source>
        <translation>Experteneinheiten in Transformer-Sprachmodellen finden und nutzen.</translation>
    </message>
    <message>
        <source>Open the demo project.</source>
        <translation>Das Demoprojekt öffnen.</translation>
    </message>
    <message>
        <source>A project file (.esproj) to open.</source>
        <translation>Eine zu öffnende Projektdatei (.esproj).</translation>
    </message>
</context>
</TS>