#pragma once
// The expertise of every unit for one concept, as the paper defines it and ml-selfcond
// computes it: the average precision of the unit's responses as a classifier of positive
// against negative sentences (scikit-learn's average_precision_score, ties included), and
// the forcing values: median and 90th percentile of the responses on positives (numpy's
// linear interpolation) and their mean on negatives. Beside AP, the area under the ROC curve
// (scikit-learn's roc_auc_score, ties counted half), which AurA suppression dampens by.
#include <cstdint>
#include <vector>

namespace expertscope {

struct UnitExpertise {
    std::vector<double> ap, onP50, onP90, offMean;  // one entry per unit
    // The area under the ROC curve, one entry per unit: the Mann-Whitney statistic over
    // positive-negative pairs (a tie counts half) divided by positives x negatives, the
    // exact fraction rounded once. Results stored before it was computed read NaN here.
    std::vector<double> auroc;
};

// A unit ranked by its AP.
struct Expert {
    int64_t unit = 0;  // global unit index
    double ap = 0;
};

// responses: [sentences, units] row-major, as collectAll returns them; labels: one per
// sentence, non-zero for positives. Runs over units on `threads` threads (0: one per
// core). Throws Error when a class is empty or a response is not a number.
// firstUnit: the global index of column 0, for messages (a slice of the units, as the
// probe-by-probe scoring of analysis.h passes).
UnitExpertise computeExpertise(const float* responses, int64_t sentences, int64_t units,
                               const std::vector<uint8_t>& labels, int threads = 0, int64_t firstUnit = 0);
UnitExpertise computeExpertise(const double* responses, int64_t sentences, int64_t units,
                               const std::vector<uint8_t>& labels, int threads = 0);

}  // namespace expertscope
