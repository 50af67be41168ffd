#pragma once
// Downloading a model from the Hugging Face Hub into the standard cache layout
// (hf_cache.h), so other tools share what is fetched here and the other way round:
// the files a model needs (config, safetensors weights or shards, tokenizer files; never
// pickled .bin weights), each checked against the Hub's checksum (LFS sha256, else the
// git blob id), resumed where an interrupted download stopped, and guarded by a lock per
// blob (huggingface_hub's own lock files, flock) so two downloads of one model, here or by
// Python tools, do not corrupt the cache. The token goes to the endpoint only, never to
// where it redirects. HF_HUB_OFFLINE=1: no network at all. Runs on the calling thread (a
// local event loop); throws Error.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace expertscope {

struct HubOptions {
    std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT
    std::string token;                                // HF_TOKEN, else the token file huggingface-cli login writes
    std::string cacheDir;                             // hfHubCacheDir()
    bool offline = false;                             // HF_HUB_OFFLINE
    int timeoutMs = 30000;                            // without a byte received
};
// Every field from the environment, as huggingface_hub reads it.
HubOptions hubOptionsFromEnvironment();

struct DownloadProgress {
    std::string file;               // being downloaded
    int64_t done = 0, total = 0;    // bytes of the model's files, reused ones counted as done
    double bytesPerSecond = 0;      // over this run's transfers
    double secondsLeft = -1;        // -1 until a rate is known
};
// Return false to cancel: what is downloaded stays, and the next run resumes from it.
using DownloadCallback = std::function<bool(const DownloadProgress&)>;

struct FetchResult {
    std::string snapshot;            // the folder the loaders open
    std::string commit;
    std::vector<std::string> files;  // fetched or already there
    int64_t downloadedBytes = 0, reusedBytes = 0;
};

// The model at `revision` (a branch, tag or commit; "main" by default). Blobs already in
// the cache are not downloaded again (the file list is always asked for); the snapshot's
// links are made once every blob is there. Offline, only the cache is read.
FetchResult fetchModel(const std::string& repo, const std::string& revision, const HubOptions& options,
                       const DownloadCallback& progress = {});

// Which of a repository's files a model needs (and which it never takes: pickles).
bool isNeededModelFile(const std::string& name);

}  // namespace expertscope
