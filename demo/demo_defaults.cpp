#include "demo/demo_defaults.h"

namespace expertscope {

LlamaShape demoModelShape() {
    LlamaShape s;
    // 3.7M parameters: the largest that trains in about half an hour on two cores (6,600
    // tokens/s); the 1M-parameter model before it could not steer visibly.
    s.hidden = 256;
    s.intermediate = 688;
    s.layers = 4;
    s.heads = s.kvHeads = 4;
    return s;
}

TrainingOptions demoTraining() {
    TrainingOptions t;
    t.steps = 6000;  // 12.3M tokens, 3.4 passes over WordNet's glosses and examples
    return t;
}

ForcingSuggestion demoForcingSuggestion() {
    // Measured with `expertscope-cli curve --concept emotion --force on_p90 --k 0,10,20,30,50,100,150
    // --seeds 50` on the demo project: emotion words 0.67% of the words unforced, 5.5% with
    // the top 20 experts at p90; texts with one 10% -> 72%; perplexity 8.5 -> 11.9.
    return {"emotion", 20, ForceValue::OnP90,
            "on this model the top 20 emotion experts at p90 raise emotion words from 0.67% to 5.5% of the words, "
            "and the share of texts with one from 10% to 72% (steering curve, 50 seeds)"};
}

}  // namespace expertscope
