// expertscope-cli's entry: the usage text and the dispatch to the commands (cli_command_list.h).
#include "app/cli_commands.h"

#include "core/base/error.h"

#include "app/cli_command_list.h"

#include <exception>
#include <functional>
#include <map>
#include <new>
#include <ostream>

namespace expertscope::cli {
namespace {

const char* kUsage =
    "usage: expertscope-cli <command> [options] | --help | --version\n"
    "\n"
    "--model PATH: a Hugging Face folder, a .gguf (llama; dequantised on load), a llama2.c .bin, or\n"
    "hf:ORG/NAME[@REVISION] from the Hugging Face cache (no network)\n"
    "\n"
    "commands:\n"
    "  info      --model PATH [--tokenizer PATH]\n"
    "            family, architecture, dimensions and every probe point, as JSON (no tokenizer needed)\n"
    "  generate  --model PATH [--tokenizer PATH] [--prompt TEXT | --prompt-ids 1,2,3] [--ids] [--length N]\n"
    "            [--temperature T] [--top-k K] [--top-p P] [--seed S]\n"
    "            [--project FILE --concept NAME --experts K [--force on_p50|on_p90|off_mean|zero|aura]\n"
    "             [--scope all|new] [SELECTION]]\n"
    "            prints the generated text, or with --ids its token ids (temperature 0 is greedy; no\n"
    "            prompt starts from BOS); --prompt-ids drives a model without a tokenizer\n"
    "            with --concept, the concept's top K experts (default 50) are forced to their value;\n"
    "            --force aura instead multiplies every unit with AUROC > 0.5 by 1 - 2 (AUROC - 0.5)\n"
    "            (AurA suppression; --experts is ignored)\n"
    "  fill      --model PATH [--tokenizer PATH] --text \"The [MASK] scored.\" [--top 10]\n"
    "            [--project FILE --concept NAME --experts K [--force ...] [SELECTION]] [--json]\n"
    "            encoders (BERT, RoBERTa): the likeliest tokens where the text says [MASK] (<mask>),\n"
    "            without forcing and, with --concept, with the concept's experts forced\n"
    "  tokenize  (--model PATH | --tokenizer PATH) (--text TEXT [--special] | --decode 1,2,3)\n"
    "            the ids as JSON (with --model, as the model reads a sentence: BOS first when its\n"
    "            tokenizer adds one; --special reads special tokens written in the text), or the text\n"
    "  curve     --model PATH --project FILE --concept NAME [--targets w1,w2] [--k 0,1,3,10,30,100,300]\n"
    "            [--seeds 20] [--prompt TEXT] [--length 60] [--temperature 0.8] [--top-p 0.95]\n"
    "            [--force on_p50|...] [--strength X] [--scope all|new] [--aura] [SELECTION] [--json]\n"
    "            the steering curve: per k, the rate of target words (default: the concept's own words,\n"
    "            e.g. the demo's WordNet lemmas, else its name) in\n"
    "            seeded generations with the top k experts forced, and their perplexity unforced;\n"
    "            --aura adds AurA suppression as one more point (k -1)\n"
    "  probe     --project FILE --text TEXT [--top 10] [--threshold 0.9] [--experts 20] [--model PATH] [--json]\n"
    "            which analysed concepts the text lights up: per concept, the mean over its experts of\n"
    "            (the response pooled over the text as its run pooled - off_mean) / (on_p50 - off_mean), ranked\n"
    "  rank      --projects A.esproj B.esproj C.esproj --scores FILE.csv [--lower-is-better]\n"
    "            [--resamples 2000] [--seed S] [SELECTION] [--json]\n"
    "            the paper's model ranking: per AP threshold t of 0.500, 0.501, ..., 1.000, each model's\n"
    "            experts (units with AP >= t, summed over the concepts every project shares) against its\n"
    "            score: Pearson's r^2 and Spearman's rho with 95% percentile bootstrap intervals (also on\n"
    "            experts per unit), and the threshold with the best r^2. FILE.csv: the header model,score\n"
    "            and one row per project, named by its file name without extension; --projects also takes\n"
    "            a comma-separated list; --lower-is-better for a loss (the score is negated); --json gives\n"
    "            every threshold, the text a table every 0.05\n"
    "  fetch     ORG/NAME [--revision main] [--json]\n"
    "            the files a model needs (config, safetensors, tokenizer; never pickled .bin) from\n"
    "            the Hugging Face Hub (HF_ENDPOINT) into its cache (HF_HUB_CACHE, HF_HOME), checked\n"
    "            against the Hub's checksums and resumable; HF_TOKEN for gated models; nothing with\n"
    "            HF_HUB_OFFLINE=1. Prints the snapshot folder; open it as --model hf:ORG/NAME\n"
    "  analyse   --model PATH [--tokenizer PATH] --concepts PATH --project FILE\n"
    "            [--pooling max|mean|selfcond] [--seq-len N] [--batch-tokens N] [--threads N]\n"
    "            [--long drop|truncate] [--keep-responses K] [--reuse-mb MB] [--max-memory-mb MB]\n"
    "            [--responses-on-disk] [--scratch DIR] [--shard I/N] [--json]\n"
    "            expertise of every unit for every concept, stored in the project (resumes);\n"
    "            --keep-responses stores the per-sentence responses of each concept's top K\n"
    "            experts; sentences shared by concepts run once, their responses kept in up to\n"
    "            --reuse-mb MB of memory (default 1024); a concept whose responses (sentences x\n"
    "            units x 4 bytes) exceed --max-memory-mb (default: half the memory), or every\n"
    "            concept with --responses-on-disk, keeps them in a temporary file in --scratch\n"
    "            (default: TMPDIR) and is scored one probe at a time (the same results); one whose\n"
    "            widest probe alone exceeds it is refused. --shard I/N analyses only shard I of N\n"
    "            (concepts split evenly by sentences, the same split on every machine), for merge\n"
    "  merge     --out FILE A.esproj B.esproj ... [--json]\n"
    "            one project from projects analysed apart (analyse --shard): the same model weights,\n"
    "            concept set and settings, else refused saying which differ; results copied as\n"
    "            stored, equal to one machine's run; an existing FILE is merged in too; exit 1\n"
    "            when concepts are missing or were refused (listed; the project is written)\n"
    "  experts   --project FILE --concept NAME [--top K] [--min-ap T] [SELECTION] [--json]\n"
    "            the best units by AP, with their AUROC and forcing values\n"
    "  stats     --project FILE --concept NAME [--min-ap T] [SELECTION] [--json]\n"
    "            best AP and AUROC, experts per probe point, and ml-selfcond's neurons_at_ap\n"
    "            (units with AP strictly above each of 0.500, 0.501, ..., 1.000)\n"
    "  export    --project FILE --out DIR [--run N] [SELECTION]\n"
    "            ml-selfcond's expertise.csv and expertise_info.json per concept\n"
    "  unit      --project FILE --concept NAME --unit U [--model PATH [--tokenizer PATH]]\n"
    "            [--sentences N] [SELECTION] [--json]\n"
    "            a unit's statistics and the N sentences (default 5) that excite it most and least,\n"
    "            with its value at each token, as the application's inspector shows them; U is the\n"
    "            global unit index (experts lists it); the model the results came from by default\n"
    "  colearning --project FILE [--k K] [--out FILE.csv] [--concept NAME [--across]] [--run N]\n"
    "            [SELECTION] [--json]\n"
    "            overlap of the concepts' top-k experts, in clustering order; with --concept,\n"
    "            the other concepts ranked by their overlap with it; with --across, those of every\n"
    "            concept set in the project (what a new concept is like)\n"
    "\n"
    "SELECTION is [--pooling max|mean|selfcond] [--seq-len N] [--long drop|truncate], as for\n"
    "analyse (default: max pooling, the model's length, drop). A concept's results come from\n"
    "the newest run that finished it with these settings, else from the newest run that\n"
    "finished it (the application chooses the same way, with its preferences). export and\n"
    "colearning take the model and concept set of the newest run with these settings (else of\n"
    "the newest run), or exactly the run --run names.\n"
    "\n"
    "--model takes a Hugging Face directory (the Llama-block families, GPT-2, BERT, RoBERTa), a GGUF\n"
    "file (llama, qwen2) or a llama2.c .bin. The tokenizer\n"
    "defaults to what lies beside the model: tokenizer.model or tok*.model (sentencepiece),\n"
    "vocab.json + merges.txt or tokenizer.json (GPT-2). --tokenizer names another: a\n"
    "sentencepiece .model, a GPT-2 directory, tokenizer.json, or vocab/encoder .json with\n"
    "merges.txt or vocab.bpe beside it.\n";

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        (args.empty() ? err : out) << kUsage;
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        out << "expertscope-cli " << EXPERTSCOPE_VERSION << "\n";
        return 0;
    }
    const std::map<std::string, std::function<int(const std::vector<std::string>&, std::ostream&)>> commands{
        {"info", infoCommand},
        {"generate", generateCommand},
        {"fill", fillCommand},
        {"tokenize", tokenizeCommand},
        {"curve", curveCommand},
        {"fetch", fetchCommand},
        {"probe", probeCommand},
        {"rank", rankCommand},
        {"analyse", analyseCommand},
        {"analyze", analyseCommand},
        {"merge", mergeCommand},
        {"experts", expertsCommand},
        {"stats", statsCommand},
        {"export", exportCommand},
        {"colearning", coLearningCommand},
        {"unit", unitCommand}};
    auto it = commands.find(args[0]);
    if (it == commands.end()) {
        err << "expertscope-cli: unknown command '" << args[0] << "'\n" << kUsage;
        return 2;
    }
    try {
        return it->second(args, out);
    } catch (const Error& e) {
        err << "expertscope-cli " << args[0] << ": " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        err << "expertscope-cli " << args[0] << ": not enough memory\n";
        return 1;
    } catch (const std::exception& e) {
        // LibTorch's errors carry a C++ backtrace after their first line: not for users.
        const std::string what = e.what();
        const std::string first = what.substr(0, what.find('\n'));
        err << "expertscope-cli " << args[0] << ": "
            << (first.find("can't allocate memory") != std::string::npos ? "not enough memory: " : "internal error: ") << first << "\n";
        return 1;
    }
}

}  // namespace expertscope::cli
