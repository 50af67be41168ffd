#pragma once
// The embedded demo's choices in one place: the model's shape and training length, and
// where the generation panel starts on it (a concept, k and mode whose steering curve
// rises clearly on the committed model; the measurement is in the README, "The demo").
#include "core/project/concept_forcing.h"
#include "core/runtime/llama/llama_training.h"

namespace expertscope {

LlamaShape demoModelShape();  // the vocabulary size comes from the tokenizer
TrainingOptions demoTraining();
ForcingSuggestion demoForcingSuggestion();

}  // namespace expertscope
