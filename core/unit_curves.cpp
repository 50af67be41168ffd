#include "unit_curves.h"

#include "error.h"

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
    Histogram h;
    h.positives.assign(static_cast<size_t>(std::max(bins, 1)), 0);
    h.negatives = h.positives;
    if (responses.empty()) return h;
    const auto [lo, hi] = std::minmax_element(responses.begin(), responses.end());
    h.low = *lo;
    h.high = *hi > *lo ? *hi : *lo + 1;
    const double width = (h.high - h.low) / static_cast<double>(h.positives.size());
    for (size_t i = 0; i < responses.size(); ++i) {
        const auto bin = std::min(h.positives.size() - 1, static_cast<size_t>((responses[i] - h.low) / width));
        ++(labels[i] ? h.positives : h.negatives)[bin];
    }
    return h;
}

}  // namespace expertscope
