#pragma once
// What the unit inspector draws of one unit's responses to a concept: its precision-recall
// curve as a classifier of positives and histograms of its responses per class, with the
// exact values of scikit-learn's precision_recall_curve and numpy's histogram
// (tests/golden/unit_curves.json, made by tests/golden/make_unit_curves.py).
#include <cstdint>
#include <vector>

namespace expertscope {

// One point per distinct response, by decreasing threshold, without scikit-learn's closing
// point (precision 1, recall 0).
struct PrecisionRecall {
    std::vector<double> precision, recall, threshold;
};
PrecisionRecall precisionRecallCurve(const std::vector<float>& responses, const std::vector<uint8_t>& labels);

struct Histogram {
    double low = 0, high = 0;       // the range the bins cover
    std::vector<int> positives, negatives;
};
// Equal-width bins over the range of all responses (widened by 0.5 each way when they are
// all equal), both classes sharing them; as numpy.histogram(responses in float64, bins),
// the last bin closed.
Histogram classHistogram(const std::vector<float>& responses, const std::vector<uint8_t>& labels, int bins);

}  // namespace expertscope
