#include "core/project/analysis.h"

#include "core/base/byte_size.h"
#include "core/base/error.h"
#include "core/project/long_text.h"
#include "core/project/shards.h"
#include "core/runtime/blas_setup.h"
#include "core/science/response_collector.h"
#include "core/science/response_spool.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <set>
#include <unordered_map>

namespace expertscope {
namespace {

// Responses of sentences that concepts still to come also use, kept within a byte budget
// until their last use: a sentence shared by several concepts runs through the model once.
// `uses` holds only the sentences that more than one of the run's concepts use.
class SharedResponses {
public:
    SharedResponses(std::unordered_map<std::string, int> uses, int64_t budgetBytes, int64_t cols)
        : uses_(std::move(uses)), budget_(budgetBytes), cols_(cols) {}
    const std::vector<float>* find(const std::string& s) const {
        const auto it = rows_.find(s);
        return it == rows_.end() ? nullptr : &it->second;
    }
    // A concept has used the sentence (row: its responses, or null when it came from here).
    void used(const std::string& s, const float* row) {
        const auto use = uses_.find(s);
        if (use == uses_.end()) return;  // no other concept uses it
        int& left = use->second;
        left = std::max(0, left - 1);
        const auto it = rows_.find(s);
        if (left == 0 && it != rows_.end()) {
            bytes_ -= cols_ * static_cast<int64_t>(sizeof(float));
            rows_.erase(it);
        } else if (left > 0 && row && it == rows_.end() && bytes_ + cols_ * static_cast<int64_t>(sizeof(float)) <= budget_) {
            rows_.emplace(s, std::vector<float>(row, row + cols_));
            bytes_ += cols_ * static_cast<int64_t>(sizeof(float));
        }
    }

private:
    std::unordered_map<std::string, int> uses_;
    std::unordered_map<std::string, std::vector<float>> rows_;
    int64_t budget_, cols_, bytes_ = 0;
};

// The `count` units of highest AP (ties: the lower index), with the concept's sentences;
// their values are filled by the caller from wherever the responses are held.
KeptResponses topUnitsToKeep(const std::vector<std::string>& sentences, const std::vector<uint8_t>& labels,
                             const std::vector<double>& ap, int count) {
    KeptResponses kept;
    std::vector<int64_t> order(ap.size());
    std::iota(order.begin(), order.end(), int64_t{0});
    const size_t top = std::min(order.size(), static_cast<size_t>(std::max(count, 0)));
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(top), order.end(),
                      [&](int64_t a, int64_t b) { return ap[a] > ap[b] || (ap[a] == ap[b] && a < b); });
    kept.units.assign(order.begin(), order.begin() + static_cast<long>(top));
    kept.sentences = sentences;
    kept.labels = labels;
    kept.values.resize(top * sentences.size());
    return kept;
}

KeptResponses keepTopResponses(const ResponseMatrix& responses, const std::vector<std::string>& sentences,
                               const std::vector<uint8_t>& labels, const std::vector<double>& ap, int count) {
    KeptResponses kept = topUnitsToKeep(sentences, labels, ap, count);
    for (size_t u = 0; u < kept.units.size(); ++u)
        for (size_t i = 0; i < sentences.size(); ++i)
            kept.values[u * sentences.size() + i] = responses.values[i * static_cast<size_t>(responses.cols) + kept.units[u]];
    return kept;
}

// The same from a spool, reading only the probes that hold a kept unit.
KeptResponses keepTopResponses(const ResponseSpool& spool, const std::vector<std::string>& sentences,
                               const std::vector<uint8_t>& labels, const std::vector<double>& ap, int count) {
    KeptResponses kept = topUnitsToKeep(sentences, labels, ap, count);
    const auto& probes = spool.probes();
    for (size_t p = 0; p < probes.size(); ++p) {
        std::vector<float> block;
        for (size_t u = 0; u < kept.units.size(); ++u) {
            const int64_t column = kept.units[u] - probes[p].offset;
            if (column < 0 || column >= probes[p].units) continue;
            if (block.empty()) block = spool.readProbe(p);
            for (size_t i = 0; i < sentences.size(); ++i)
                kept.values[u * sentences.size() + i] = block[i * static_cast<size_t>(probes[p].units) + static_cast<size_t>(column)];
        }
    }
    return kept;
}

// The memory limit of this process's control group and those above it, as Slurm sets a
// job's --mem (cgroup v2's memory.max, v1's memory.limit_in_bytes), or -1 when none.
int64_t cgroupMemoryLimit() {
    QFile self("/proc/self/cgroup");
    if (!self.open(QIODevice::ReadOnly)) return -1;
    int64_t limit = -1;
    for (const QByteArray& line : self.readAll().split('\n')) {
        const QList<QByteArray> fields = line.split(':');  // id:controllers:path
        if (fields.size() != 3) continue;
        const bool v2 = fields[0] == "0" && fields[1].isEmpty(), v1 = fields[1].split(',').contains("memory");
        if (!v2 && !v1) continue;
        const QString root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory", file = v2 ? "memory.max" : "memory.limit_in_bytes";
        for (QString g = QDir::cleanPath(QString::fromUtf8(fields[2]).trimmed());; g = QFileInfo(g).path()) {
            QFile max(root + (g == "/" ? QString() : g) + "/" + file);
            bool number = false;
            const int64_t value = max.open(QIODevice::ReadOnly) ? max.readAll().trimmed().toLongLong(&number) : 0;
            if (number && value > 0 && value < (int64_t{1} << 60))  // "max", or v1's near-2^63: no limit
                limit = limit < 0 ? value : std::min(limit, value);
            if (g == "/" || g.isEmpty() || g == ".") break;
        }
    }
    return limit;
}

// Resident bytes of this process (the model loaded, mostly).
int64_t residentBytes() {
    QFile statm("/proc/self/statm");
    if (!statm.open(QIODevice::ReadOnly)) return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * sysconf(_SC_PAGE_SIZE) : 0;
}

// What an analysis may hold of one concept's responses (sentences x units, float32):
// the run's own limit, else half of what this machine's memory, or the job's share of it,
// leaves beside what the program already holds (the model).
int64_t responseBudget(const RunSettings& settings) {
    if (settings.maxResponseBytes > 0) return settings.maxResponseBytes;
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    int64_t memory = pages > 0 && pageSize > 0 ? static_cast<int64_t>(pages) * pageSize : int64_t{8} << 30;
    const int64_t job = cgroupMemoryLimit();
    if (job > 0) memory = std::min(memory, job);
    return std::max<int64_t>(memory - residentBytes(), 0) / 2;
}

std::string scratchFolder(const RunSettings& settings) {
    return settings.scratchFolder.empty() ? QDir::tempPath().toStdString() : settings.scratchFolder;
}

// How this machine computes the model's responses, for a person (device, kernels, BLAS
// core) and for a program (two fixed sentences' responses, hashed): shards whose
// signatures differ computed responses that differ in their last bits (OpenBLAS's AVX2
// and AVX-512 kernels round differently), and do not merge into what one run stores.
std::string numericsSignature(LanguageModel& model, const RunSettings& settings) {
    const auto& info = model.info();
    // Cut to what this run and model take; what cannot be measured is recorded as such
    // (it then matches only another run that could not measure either).
    const int limit = settings.sequenceLength > 0 ? std::min(settings.sequenceLength, info.maxPositions) : info.maxPositions;
    std::vector<std::vector<int>> probe;
    for (const char* text : {"Experts in a language model.", "A second, longer sentence: 1, 2, 3 and 12345 tokens."}) {
        auto ids = model.tokenize(text);
        if (static_cast<int>(ids.size()) > limit) ids.resize(static_cast<size_t>(std::max(limit, 0)));
        if (!ids.empty()) probe.push_back(std::move(ids));
    }
    std::string responses = "unknown";
    try {
        CollectionOptions o = collectionOptions(settings);
        o.workers = 1;
        const ResponseMatrix r = collectAll(model, probe, o);
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(QByteArrayView(reinterpret_cast<const char*>(r.values.data()), static_cast<qsizetype>(r.values.size() * sizeof(float))));
        if (!probe.empty()) responses = hash.result().toHex().left(16).toStdString();
    } catch (const std::exception&) {
    }
    std::string kernels = info.rowAlignment > 0 ? "batch-invariant kernels" : "ATen kernels";
    if (info.device == "cpu") {
        const std::string blas = blasDescription();
        const auto core = blas.rfind(", core ");
        kernels += core == std::string::npos ? ", " + blas : ", OpenBLAS " + blas.substr(core + 2);
    }
    return info.device + ", " + kernels + "; responses " + responses;
}


}  // namespace

std::string numericsKey(int64_t runId) { return "analysed_on/" + std::to_string(runId); }

std::string refusalKey(int64_t runId, int64_t conceptId) {
    return "refused/" + std::to_string(runId) + "/" + std::to_string(conceptId);
}

PreparedConcept prepareConcept(const Concept& stored, LanguageModel& model, const RunSettings& settings) {
    PreparedConcept out;
    Concept c = stored;
    // Validation measures every sentence in tokens; the ids are kept for the collection.
    std::unordered_map<std::string, std::vector<int>> ids;
    std::unordered_map<std::string, std::string> originalOf;  // cut sentence -> as stored
    ValidationOptions v;
    v.maxTokens = settings.sequenceLength > 0 ? std::min(settings.sequenceLength, model.info().maxPositions)
                                              : model.info().maxPositions;
    v.longSentences = settings.longSentences;
    // A sentence longer than any that fits is judged, or cut, from its first part only
    // (core/project/long_text.h): a 10 MB sentence costs about what one that fits costs.
    int64_t bound = -1;
    v.truncate = [&](const std::string& s, int n) {
        // Cut the ids and decode; re-encoding decoded text can differ, so check it fits.
        const auto& tok = model.tokenizer();
        const std::string first = firstPartBeyond(s, n, tok, bound);
        auto cut = tok.encode(first);
        if (first.size() < s.size() && static_cast<int>(cut.size()) <= n) cut = tok.encode(s);  // folded: it may all fit
        const int room = n - (model.info().prependBos && tok.bosId() >= 0 ? 1 : 0);
        std::string text = s;
        for (int keep = room; keep > 0; --keep) {
            cut.resize(std::min(cut.size(), static_cast<size_t>(keep)));
            text = tok.decode(cut);
            if (static_cast<int>(model.tokenize(text).size()) <= n) break;
        }
        originalOf.emplace(text, s);
        return text;
    };
    v.tokenCount = [&](const std::string& s) {
        // Its first part's tokens already past the length: too long, the rest unread.
        if (longerThanAnyFit(s, v.maxTokens, model.tokenizer(), bound) &&
            static_cast<int>(model.tokenize(firstPartBeyond(s, v.maxTokens, model.tokenizer(), bound)).size()) > v.maxTokens)
            return v.maxTokens + 1;
        auto it = ids.find(s);
        if (it == ids.end()) it = ids.emplace(s, model.tokenize(s)).first;
        return static_cast<int>(it->second.size());
    };
    out.messages = validateConcept(c, v);
    out.fatal = std::any_of(out.messages.begin(), out.messages.end(), [](const auto& m) { return m.fatal; });
    if (out.fatal) return out;
    out.positives = static_cast<int>(c.positives.size());
    out.negatives = static_cast<int>(c.negatives.size());
    for (int label : {1, 0})
        for (const auto& s : label ? c.positives : c.negatives) {
            auto it = ids.find(s);
            out.ids.push_back(it != ids.end() ? std::move(it->second) : model.tokenize(s));
            const auto original = originalOf.find(s);
            out.texts.push_back(original != originalOf.end() ? original->second : s);
            out.labels.push_back(static_cast<uint8_t>(label));
        }
    return out;
}

int64_t importOrReuseConceptSet(ProjectStore& store, const std::string& path) {
    const std::string origin = QDir::cleanPath(QFileInfo(QString::fromStdString(path)).absoluteFilePath()).toStdString();
    if (const int64_t existing = store.findConceptSet(origin)) return existing;
    ConceptSet set = importConcepts(origin);
    set.origin = origin;
    return store.addConceptSet(set, true);
}

CollectionOptions collectionOptions(const RunSettings& settings) {
    CollectionOptions o;
    o.capture.pooling = settings.pooling;
    o.capture.paddedLength = settings.sequenceLength;
    o.capture.poolBos = settings.poolBos;
    o.tokenBudget = settings.tokenBudget;
    o.workers = settings.workers;
    return o;
}

AnalysisSummary analyse(ProjectStore& store, LanguageModel& model, int64_t modelId, int64_t setId,
                        const RunSettings& settings, const AnalysisCallback& progress) {
    const auto started = std::chrono::steady_clock::now();
    if (settings.pooling == Pooling::SelfcondMax && settings.sequenceLength <= 0)
        throw Error("ml-selfcond pooling needs a sequence length");
    const Shard shard{settings.shardIndex, settings.shardCount};
    if (shard.index < 1 || shard.index > shard.count)
        throw Error("shard " + std::to_string(shard.index) + " of " + std::to_string(shard.count) + " does not exist");
    store.requireWritable();  // before minutes of work on a concept it could not store
    AnalysisSummary summary;
    summary.runId = store.findOrCreateRun(modelId, setId, settings);
    const auto finishedList = store.finishedConcepts(summary.runId);
    const std::set<int64_t> finished(finishedList.begin(), finishedList.end());
    std::vector<StoredConcept> concepts = store.concepts(setId);
    std::vector<int64_t> mine;  // this shard's concepts (all of them when the set is whole)
    if (!shard.whole()) {
        mine = conceptsOfShard(concepts, shard);
        const std::set<int64_t> in(mine.begin(), mine.end());
        concepts.erase(std::remove_if(concepts.begin(), concepts.end(), [&](const StoredConcept& c) { return !in.count(c.id); }),
                       concepts.end());
    }
    AnalysisProgress p;
    SharedResponses shared(concepts.empty() ? std::unordered_map<std::string, int>{}
                                            : store.sharedSentences(setId, summary.runId, mine),
                           settings.reuseBytes, model.unitCount());
    // The run's numerics, recorded before its first concept is stored; a run continued on a
    // machine that computes otherwise is marked as mixed (and said so), so merge refuses it.
    bool signed_ = false;
    const auto signRun = [&] {
        if (signed_) return;
        signed_ = true;
        const std::string here = numericsSignature(model, settings), recorded = store.meta(numericsKey(summary.runId));
        if (recorded.empty()) {
            store.setMeta(numericsKey(summary.runId), here);
        } else if (recorded.find(here) == std::string::npos) {
            store.setMeta(numericsKey(summary.runId), recorded + " | " + here);
            summary.messages.push_back({false, "", "this run's earlier results were computed as " + recorded + ", this machine computes " +
                                                       here + ": responses differ in their last bits, so the project no longer merges "
                                                       "with other shards (OPENBLAS_CORETYPE chooses the kernels)"});
        }
    };
    // A refusal is recorded (for merge to report) until the concept is analysed after all.
    const auto refuse = [&](const StoredConcept& c, const std::string& why) {
        store.setMeta(refusalKey(summary.runId, c.id), why);
        ++summary.refused;
        ++p.conceptsDone;
    };
    const auto& probes = model.probePoints();
    int64_t widest = 1;  // the most units one probe has: what scoring from disk holds at once
    for (const auto& probe : probes) widest = std::max<int64_t>(widest, probe.units);
    const int64_t budget = responseBudget(settings);
    const char* budgetName = settings.maxResponseBytes > 0 ? "--max-memory-mb" : "half of what this machine's or job's memory leaves beside the model";

    p.conceptsTotal = static_cast<int>(concepts.size());
    for (const auto& stored : concepts) {
        if (finished.count(stored.id)) {
            ++summary.alreadyDone;
            ++p.conceptsDone;
            continue;
        }
        const auto conceptStart = std::chrono::steady_clock::now();
        const Concept loaded = store.loadConcept(stored.id);
        const auto noLongerWaited = [&] {  // no later concept waits for its sentences from here
            for (const auto* list : {&loaded.positives, &loaded.negatives})
                for (const auto& s : *list) shared.used(s, nullptr);
        };
        // Responses that fit in the memory an analysis may use are held there; the rest go
        // to a temporary file and are scored probe by probe, which holds one probe's worth.
        // Refuse, before any work, a concept whose widest probe alone would not fit.
        const int64_t rows = static_cast<int64_t>(loaded.positives.size() + loaded.negatives.size());
        const double need = static_cast<double>(rows) * static_cast<double>(model.unitCount()) * sizeof(float);
        const bool onDisk = settings.responsesOnDisk || need > static_cast<double>(budget);
        const double probeNeed = static_cast<double>(rows) * static_cast<double>(widest) * sizeof(float);
        if (onDisk && probeNeed > static_cast<double>(budget)) {
            summary.messages.push_back(
                {true, loaded.name,
                 std::to_string(rows) + " sentences x " + std::to_string(widest) +
                     " units (the widest probe; responses are scored one probe at a time) need " + byteSize(probeNeed) +
                     ", more than the " + byteSize(static_cast<double>(budget)) + " an analysis may use (" + budgetName + "); use at most " +
                     std::to_string(budget / (widest * static_cast<int64_t>(sizeof(float)))) + " sentences"});
            noLongerWaited();
            refuse(stored, summary.messages.back().message);
            continue;
        }
        PreparedConcept prepared = prepareConcept(loaded, model, settings);
        summary.messages.insert(summary.messages.end(), prepared.messages.begin(), prepared.messages.end());
        if (prepared.fatal) {
            noLongerWaited();
            std::string why;
            for (const auto& m : prepared.messages)
                if (m.fatal) why += (why.empty() ? "" : "; ") + m.message;
            refuse(stored, why);
            continue;
        }
        signRun();
        // Rows in concept order (positives, then negatives); those already run are reused.
        const auto& texts = prepared.texts;
        const auto& labels = prepared.labels;
        std::vector<std::vector<int>> toRun;
        std::vector<size_t> runRows;
        for (size_t i = 0; i < texts.size(); ++i)
            if (!shared.find(texts[i])) {
                toRun.push_back(std::move(prepared.ids[i]));
                runRows.push_back(i);
            }
        const CollectionOptions o = collectionOptions(settings);
        p.concept = loaded.name;
        p.sentencesTotal = static_cast<int64_t>(toRun.size());
        p.sentencesDone = 0;
        const auto collected = [&](const CollectionProgress& cp) {
            p.sentencesDone = cp.sentencesDone;
            p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            return !progress || progress(p);
        };
        summary.sentencesRun += static_cast<int64_t>(toRun.size());
        summary.sentencesReused += static_cast<int64_t>(texts.size() - toRun.size());
        UnitExpertise expertise;
        KeptResponses kept;
        if (onDisk) {
            if (!settings.responsesOnDisk)
                summary.messages.push_back({false, loaded.name,
                                            "its responses (" + byteSize(need) + ") exceed the " + byteSize(static_cast<double>(budget)) +
                                                " an analysis may hold (" + budgetName +
                                                "): kept in a temporary file and scored one probe at a time"});
            if (inMemoryFilesystem(scratchFolder(settings)))
                summary.messages.push_back({false, loaded.name,
                                            scratchFolder(settings) + " is a tmpfs, held in memory: name a folder on disk with --scratch "
                                                                      "(or TMPDIR) to keep the responses out of memory"});
            ResponseSpool spool(scratchFolder(settings), static_cast<int64_t>(texts.size()), probes);
            collectInto(model, toRun, [&](size_t r, const float* row) { spool.writeRow(static_cast<int64_t>(runRows[r]), row); }, o,
                        collected);
            std::vector<bool> ran(texts.size(), false);
            for (size_t r : runRows) ran[r] = true;
            for (size_t i = 0; i < texts.size(); ++i)
                if (!ran[i]) spool.writeRow(static_cast<int64_t>(i), shared.find(texts[i])->data());
            noLongerWaited();  // rows this large are not kept for reuse
            expertise = computeExpertise(spool, labels, settings.workers);
            kept = keepTopResponses(spool, texts, labels, expertise.ap, settings.keepResponses);
        } else {
            ResponseMatrix responses = collectAll(model, toRun, o, collected);
            // Spread the rows that ran to their places in concept order, in place (from the
            // last, as each moves down), and fill the gaps with reused rows: one matrix only.
            const size_t cols = static_cast<size_t>(model.unitCount());
            responses.rows = static_cast<int64_t>(texts.size());
            responses.cols = static_cast<int64_t>(cols);
            responses.values.resize(texts.size() * cols);
            std::vector<bool> reused(texts.size(), true);
            for (size_t r = runRows.size(); r-- > 0;) {
                reused[runRows[r]] = false;
                if (runRows[r] != r)
                    std::memmove(responses.values.data() + runRows[r] * cols, responses.values.data() + r * cols, cols * sizeof(float));
            }
            for (size_t i = 0; i < texts.size(); ++i)
                if (reused[i]) std::memcpy(responses.values.data() + i * cols, shared.find(texts[i])->data(), cols * sizeof(float));
            std::unordered_map<std::string, const float*> ranRow;
            for (size_t i = 0; i < texts.size(); ++i)
                if (!reused[i]) ranRow.emplace(texts[i], responses.values.data() + i * cols);
            for (const auto* list : {&loaded.positives, &loaded.negatives})
                for (const auto& s : *list) {
                    const auto it = ranRow.find(s);
                    shared.used(s, it == ranRow.end() ? nullptr : it->second);
                }
            expertise = computeExpertise(responses.values.data(), responses.rows, responses.cols, labels, settings.workers);
            kept = keepTopResponses(responses, texts, labels, expertise.ap, settings.keepResponses);
        }
        store.saveConceptResult(summary.runId, stored.id, probes, expertise, prepared.positives, prepared.negatives,
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - conceptStart).count(), &kept);
        if (!store.meta(refusalKey(summary.runId, stored.id)).empty()) store.setMeta(refusalKey(summary.runId, stored.id), "");
        ++summary.analysed;
        ++p.conceptsDone;
        if (progress && !progress(p)) throw Cancelled();
    }
    // A shard's run is finished only when merged with the others (project_merge.h).
    if (summary.refused == 0 && shard.whole()) store.finishRun(summary.runId);
    return summary;
}

}  // namespace expertscope
