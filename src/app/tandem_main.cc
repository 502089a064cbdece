// tandem: the operator's command-line tool. `inspect` describes an update; `apply` applies
// updates to a fresh document and writes its state (v1) or its content as JSON; `load`
// generates collaborative-editing load against a server and measures it (src/app/load).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "app/inspect.h"
#include "app/load/load_command.h"
#include "common/file_util.h"
#include "crdt/doc.h"
#include "crdt/js_json.h"

namespace {

using tandem::crdt::UpdateVersion;

int fail(const std::string& message) {
  std::cerr << "tandem: " << message << "\n";
  return 1;
}

int run_inspect(const std::string& file, bool v2) {
  auto bytes = tandem::read_file(file);
  if (!bytes) return fail(bytes.error());
  auto out = tandem::app::inspect_update(*bytes, v2 ? UpdateVersion::V2 : UpdateVersion::V1);
  if (!out) return fail(file + ": " + out.error());
  std::cout << *out << "\n";
  return 0;
}

int run_apply(const std::vector<std::string>& files, bool stream, bool v2, const std::string& out,
              bool json) {
  tandem::crdt::Doc doc;
  UpdateVersion v = v2 ? UpdateVersion::V2 : UpdateVersion::V1;
  for (const auto& file : files) {
    auto bytes = tandem::read_file(file);
    if (!bytes) return fail(bytes.error());
    std::vector<std::span<const uint8_t>> updates;
    if (stream) {
      auto frames = tandem::split_update_stream(*bytes);
      if (!frames) return fail(file + ": " + frames.error());
      updates = std::move(frames.value());
    } else {
      updates.push_back(*bytes);
    }
    for (auto u : updates) {
      tandem::Status st = doc.apply_update(u, v);
      if (!st) {
        size_t frame_offset = static_cast<size_t>(u.data() - bytes->data());
        std::string where = stream ? " (update at byte " + std::to_string(frame_offset) + ")" : "";
        return fail(file + where + ": " + st.message());
      }
    }
  }
  if (json) {
    tandem::crdt::AnyObject roots;
    for (const auto& [name, type] : doc.roots()) roots.emplace_back(name, type->to_json());
    std::string text = tandem::crdt::js_stringify(tandem::crdt::Any::Object(std::move(roots))) + "\n";
    std::vector<uint8_t> bytes(text.begin(), text.end());
    if (out.empty() || out == "-") {
      std::cout << text;
      return 0;
    }
    tandem::Status st = tandem::write_file(out, bytes);
    return st ? 0 : fail(st.message());
  }
  auto state = doc.encode_state_as_update();
  if (out.empty() || out == "-") {
    std::fwrite(state.data(), 1, state.size(), stdout);
    return 0;
  }
  tandem::Status st = tandem::write_file(out, state);
  return st ? 0 : fail(st.message());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tandem: inspect and apply Yjs-compatible updates; generate load against a server"};
  app.require_subcommand(1);

  std::string inspect_file;
  bool inspect_v2 = false;
  auto* inspect = app.add_subcommand("inspect", "print an update's state vector, delete set and structs as JSON");
  inspect->add_option("FILE", inspect_file, "update file (.gz is decompressed)")->required();
  inspect->add_flag("--v2", inspect_v2, "the update is in format v2");

  std::vector<std::string> apply_files;
  bool stream = false, v2 = false, json = false;
  std::string out;
  auto* apply = app.add_subcommand("apply", "apply updates in order to a fresh document");
  apply->add_option("FILE", apply_files, "update files")->required();
  apply->add_flag("--stream", stream, "each file holds updates framed as [var-uint length][bytes]");
  apply->add_flag("--v2", v2, "updates are in format v2");
  apply->add_option("--out", out, "where to write the result (default: stdout)");
  apply->add_flag("--json", json, "write each root's content as Yjs's toJSON gives it");

  tandem::load::LoadArgs load_args;
  auto* load = tandem::load::add_load_command(app, load_args);

  CLI11_PARSE(app, argc, argv);
  if (*inspect) return run_inspect(inspect_file, inspect_v2);
  if (*load) return tandem::load::run_load(load_args);
  return run_apply(apply_files, stream, v2, out, json);
}
