#pragma once
// Models already on disk in Hugging Face's hub cache, read without any network call:
//   CACHE/models--ORG--NAME/refs/REF            a commit hash ("main" and other branches, tags)
//   CACHE/models--ORG--NAME/snapshots/COMMIT/   the files, symlinks into ../../blobs/
//   CACHE/models--ORG--NAME/blobs/ETAG          the contents, shared by the snapshots
// CACHE is HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE (older name), else HF_HOME/hub, else
// XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub, as huggingface_hub
// resolves it, so models fetched by Python tools open here and the other way round.
#include <cstdint>
#include <string>
#include <vector>

namespace expertscope {

std::string hfHubCacheDir();
// HF_HOME, else XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface: where huggingface_hub
// keeps its hub cache (below) and the token `huggingface-cli login` writes.
std::string hfHomeDir();

struct CachedModel {
    std::string repo;       // "ORG/NAME"
    std::string revision;   // the snapshot's commit hash
    std::vector<std::string> refs;  // the refs pointing at it ("main", ...)
    std::string path;       // the snapshot folder: what the loaders open
    int64_t bytes = 0;      // of the files present (blobs, followed through the links)
    std::string modelType;  // config.json's model_type; "" without a readable one
    // Files of the snapshot whose blob is missing (an interrupted download, a cleaned
    // cache): listed, and the model reported as not openable, never followed blindly.
    std::vector<std::string> missingFiles;
};

// Every model snapshot in the cache (datasets and spaces skipped), by repo (ignoring case)
// then revision;
// an absent cache gives none. Unreadable entries are listed with what is wrong, not thrown.
std::vector<CachedModel> scanHfCache(const std::string& cacheDir = hfHubCacheDir());

// "hf:ORG/NAME" or "hf:ORG/NAME@REV" (REV a ref such as main, or a commit hash or its
// prefix of at least 7 characters) -> the snapshot folder. Without REV: "main", else the
// only snapshot. Throws Error saying what is missing and how to get it.
bool isHfModelSpec(const std::string& spec);
std::string resolveHfModel(const std::string& spec, const std::string& cacheDir = hfHubCacheDir());

}  // namespace expertscope
