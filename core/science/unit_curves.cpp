#include "core/science/unit_curves.h"

#include "core/base/error.h"

#include <algorithm>
#include <numeric>

namespace expertscope {

PrecisionRecall precisionRecallCurve(const std::vector<float>& responses, const std::vector<uint8_t>& labels) {
    if (responses.size() != labels.size()) throw Error("precision-recall: responses and labels differ in length");
    std::vector<size_t> order(responses.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return responses[a] > responses[b]; });
    const double positives = static_cast<double>(std::count(labels.begin(), labels.end(), uint8_t{1}));
    PrecisionRecall c;
    if (positives == 0) return c;
    int64_t tp = 0, seen = 0;
    for (size_t i = 0; i < order.size();) {
        const float t = responses[order[i]];
        for (; i < order.size() && responses[order[i]] == t; ++i, ++seen) tp += labels[order[i]] ? 1 : 0;
        c.precision.push_back(static_cast<double>(tp) / static_cast<double>(seen));
        c.recall.push_back(static_cast<double>(tp) / positives);
        c.threshold.push_back(t);
    }
    return c;
}

Histogram classHistogram(const std::vector<float>& responses, const std::vector<uint8_t>& labels, int bins) {
    if (responses.size() != labels.size()) throw Error("histogram: responses and labels differ in length");
    Histogram h;
    const size_t n = static_cast<size_t>(std::max(bins, 1));
    h.positives.assign(n, 0);
    h.negatives = h.positives;
    if (responses.empty()) return h;
    const auto [lo, hi] = std::minmax_element(responses.begin(), responses.end());
    h.low = *lo;
    h.high = *hi;
    if (h.low == h.high) {
        h.low -= 0.5;
        h.high += 0.5;
    }
    // numpy's edges (linspace: start + i * step, the last exactly `high`) and its bin
    // search: a scaled index, then corrected by one where rounding put a value across an edge.
    std::vector<double> edges(n + 1);
    const double step = (h.high - h.low) / static_cast<double>(n);
    for (size_t e = 0; e < n; ++e) edges[e] = static_cast<double>(e) * step + h.low;
    edges[n] = h.high;
    for (size_t i = 0; i < responses.size(); ++i) {
        const double x = responses[i];
        auto bin = static_cast<size_t>((x - h.low) / (h.high - h.low) * static_cast<double>(n));
        if (bin == n) --bin;
        if (x < edges[bin]) --bin;
        else if (bin + 1 < n && x >= edges[bin + 1]) ++bin;
        ++(labels[i] ? h.positives : h.negatives)[bin];
    }
    return h;
}

}  // namespace expertscope
