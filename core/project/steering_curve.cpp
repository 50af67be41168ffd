#include "core/project/steering_curve.h"

#include "core/base/error.h"
#include "core/project/concept_forcing.h"
#include "core/science/response_collector.h"

#include <QRegularExpression>
#include <QString>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace expertscope {
namespace {

struct MeanSd {
    double mean = 0, sd = 0;
};

MeanSd meanSd(const std::vector<double>& v) {
    MeanSd m;
    if (v.empty()) return m;
    for (double x : v) m.mean += x;
    m.mean /= static_cast<double>(v.size());
    for (double x : v) m.sd += (x - m.mean) * (x - m.mean);
    m.sd = v.size() > 1 ? std::sqrt(m.sd / static_cast<double>(v.size() - 1)) : 0;
    return m;
}

// Perplexity of `generated` after `prompt` under the model without forcing.
double perplexity(LanguageModel& model, const std::vector<int>& prompt, const std::vector<int>& generated) {
    if (generated.empty()) return 0;
    std::vector<int> all = prompt;
    all.insert(all.end(), generated.begin(), generated.end());
    const auto trace = model.trace(all);
    double nll = 0;
    for (size_t i = 0; i < generated.size(); ++i) {
        const size_t at = prompt.size() + i - 1;  // the position that predicts generated[i]
        nll -= logProbability(trace.logits.data() + at * static_cast<size_t>(trace.vocab), trace.vocab, generated[i]);
    }
    return std::exp(nll / static_cast<double>(generated.size()));
}

// Case-folded words (runs of letters, digits and underscores) in order.
QStringList wordsOf(const QString& s) {
    static const QRegularExpression word(QStringLiteral("\\w+"), QRegularExpression::UseUnicodePropertiesOption);
    QStringList out;
    for (auto it = word.globalMatch(s); it.hasNext();) out.push_back(it.next().captured().toCaseFolded());
    return out;
}

// The first token of each target as it would follow the prompt.
std::vector<int> firstTargetTokens(const LanguageModel& model, const std::string& prompt, const std::vector<std::string>& targets) {
    const auto base = model.tokenize(prompt);
    std::vector<int> first;
    for (const auto& t : targets) {
        const auto full = model.tokenize(prompt + " " + t);
        if (full.size() > base.size() && std::equal(base.begin(), base.end(), full.begin()))
            if (std::find(first.begin(), first.end(), full[base.size()]) == first.end()) first.push_back(full[base.size()]);
    }
    return first;
}

}  // namespace

TargetCount countTargets(const std::string& text, const std::vector<std::string>& targets) {
    // Thousands of targets (a WordNet category's lemmas) against short texts: each target
    // becomes a word sequence, looked up by its first word.
    std::unordered_map<QString, std::vector<QStringList>> byFirstWord;
    for (const auto& t : targets) {
        const QStringList phrase = wordsOf(QString::fromStdString(t));
        if (!phrase.isEmpty()) byFirstWord[phrase.front()].push_back(phrase);
    }
    const QStringList words = wordsOf(QString::fromStdString(text));
    TargetCount c;
    c.words = static_cast<int>(words.size());
    for (qsizetype i = 0; i < words.size();) {
        qsizetype longest = 0;
        const auto found = byFirstWord.find(words[i]);
        if (found != byFirstWord.end())
            for (const auto& phrase : found->second)
                if (phrase.size() > longest && i + phrase.size() <= words.size() &&
                    std::equal(phrase.begin(), phrase.end(), words.begin() + i))
                    longest = phrase.size();
        c.occurrences += longest > 0 ? 1 : 0;
        i += std::max<qsizetype>(longest, 1);
    }
    return c;
}

std::vector<std::string> defaultTargets(const ProjectStore& store, int64_t conceptId, const std::string& conceptName) {
    auto words = store.conceptWords(conceptId);
    return words.empty() ? std::vector<std::string>{conceptName} : words;
}

SteeringCurve steeringCurve(LanguageModel& model, const ProjectStore& store, const ProjectStore::ResultRef& ref,
                            const SteeringOptions& o, const SteeringProgress& progress) {
    std::vector<std::string> targets;
    for (const auto& t : o.targets)
        if (!QString::fromStdString(t).trimmed().isEmpty()) targets.push_back(QString::fromStdString(t).trimmed().toStdString());
    if (targets.empty()) throw Error("the steering curve needs target words");
    if (o.ks.empty() || o.seeds <= 0) throw Error("the steering curve needs at least one k and one seed");
    for (int k : o.ks)
        if (k < 0) throw Error("the steering curve's k must be 0 or more, not " + std::to_string(k));
    SteeringCurve curve;
    curve.concept = ref.concept;
    curve.options = o;
    curve.options.targets = targets;
    // As the generation panel does: an empty prompt starts from BOS, which then is what the
    // generated tokens' perplexity is conditioned on.
    const auto prompt = o.prompt.empty() ? std::vector<int>{} : model.tokenize(o.prompt);
    const auto context = o.prompt.empty() ? std::vector<int>{model.info().bosId} : prompt;
    const auto firstTokens = o.prompt.empty() ? std::vector<int>{} : firstTargetTokens(model, o.prompt, targets);
    std::vector<int> ks = o.ks;
    Forcing aura;  // built once, before any generation
    aura.scope = o.scope;
    if (o.auraPoint) {
        // Results made before AUROC was stored cannot give the AurA point: the grid still
        // runs, and the curve says why the point is missing.
        try {
            forceConceptExperts(aura, store, ref, model.probePoints(), 0, ForceValue::Aura, 1.0);
            ks.push_back(-1);
        } catch (const Error& e) {
            curve.auraMissing = e.what();
        }
    }
    const int total = static_cast<int>(ks.size()) * o.seeds;
    int done = 0;
    for (int k : ks) {
        Forcing forcing;
        forcing.scope = o.scope;
        if (k < 0) forcing = aura;
        else if (k > 0) forceConceptExperts(forcing, store, ref, model.probePoints(), k, o.value, o.strength);
        SteeringPoint p;
        p.k = k;
        std::vector<double> rates, perplexities;
        int withTarget = 0;
        for (int seed = 1; seed <= o.seeds; ++seed) {
            GenerationOptions g = o.generation;
            g.seed = static_cast<uint64_t>(seed);
            const auto generated = model.generate(prompt, g, forcing);
            const std::string text = model.tokenizer().decode(generated);
            const auto count = countTargets(text, targets);
            rates.push_back(count.words > 0 ? static_cast<double>(count.occurrences) / count.words : 0);
            withTarget += count.occurrences > 0 ? 1 : 0;
            perplexities.push_back(perplexity(model, context, generated));
            p.texts.push_back(text);
            if (progress && !progress(++done, total)) throw Cancelled();
        }
        const auto r = meanSd(rates), q = meanSd(perplexities);
        p.rate = r.mean;
        p.rateSd = r.sd;
        p.share = static_cast<double>(withTarget) / o.seeds;
        p.perplexity = q.mean;
        p.perplexitySd = q.sd;
        if (!prompt.empty() && !firstTokens.empty()) {
            // The forced model's next-token distribution after the prompt.
            const auto trace = model.trace(prompt, forcing);
            const float* last = trace.logits.data() + (trace.tokens - 1) * trace.vocab;
            p.firstTokenProbability = 0;
            for (int t : firstTokens) p.firstTokenProbability += std::exp(logProbability(last, trace.vocab, t));
        }
        curve.points.push_back(std::move(p));
    }
    return curve;
}

}  // namespace expertscope
