// Editing traces of ../shared/traces (CC BY 4.0; see its PROVENANCE.md): sequential traces as
// transactions of [position, delete count, inserted text] patches, positions in code points
// (equal to UTF-16 units for these traces), and where to find them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace tandem::traces {

struct Patch {
  uint64_t pos = 0;
  uint64_t del = 0;
  std::string ins;  // UTF-8
};
struct Txn {
  std::vector<Patch> patches;
};
struct SequentialTrace {
  std::string end_content;
  std::vector<Txn> txns;
  size_t patch_count() const;
};

//! A concurrent trace: each transaction edits the merge of its parents' results.
struct ConcurrentTxn {
  uint32_t agent = 0;
  std::vector<size_t> parents;  // indexes of earlier transactions; empty = the empty document
  std::vector<Patch> patches;
};
struct ConcurrentTrace {
  std::string end_content;
  uint32_t num_agents = 0;
  std::vector<ConcurrentTxn> txns;
};

//! The traces folder: $TANDEM_TRACES_DIR if set, else the build's default (../shared/traces).
std::string traces_dir();
//! Loads editing-traces/sequential_traces/<name>.json.gz.
Result<SequentialTrace> load_sequential_trace(const std::string& dir, const std::string& name);
//! Loads editing-traces/concurrent_traces/<name>.json.gz.
Result<ConcurrentTrace> load_concurrent_trace(const std::string& dir, const std::string& name);

}  // namespace tandem::traces
