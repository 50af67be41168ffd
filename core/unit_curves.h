#pragma once
// What the unit inspector draws of one unit's responses to a concept: its precision-recall
// curve as a classifier of positives (scikit-learn's precision_recall_curve points, one per
// distinct threshold) and histograms of its responses per class.
#include <cstdint>
#include <vector>

namespace expertscope {

struct PrecisionRecall {
    std::vector<double> precision, recall, threshold;  // by decreasing threshold
};
PrecisionRecall precisionRecallCurve(const std::vector<float>& responses, const std::vector<uint8_t>& labels);

struct Histogram {
    double low = 0, high = 0;       // the range the bins cover
    std::vector<int> positives, negatives;
};
// Equal-width bins over the range of all responses; both classes share the bins.
Histogram classHistogram(const std::vector<float>& responses, const std::vector<uint8_t>& labels, int bins);

}  // namespace expertscope
