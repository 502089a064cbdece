// convert_import_dump FIXTURES_DIR OUT_DIR: imports the input of every import fixture of
// tests/fixtures/convert with Tandem (src/convert, client id 1) and writes the document's state
// to OUT_DIR/NAME.update (a v1 update), for check_convert_import.mjs to read with real
// y-prosemirror. Exit status 1 on any failure, with one line naming the fixture.
#include <cstdio>
#include <string>

#include "common/file_util.h"
#include "convert/import.h"
#include "crdt/doc.h"
#include "crdt/js_json.h"

namespace {

const tandem::crdt::Any* member(const tandem::crdt::Any& o, const std::string& key) {
  if (o.kind != tandem::crdt::Any::Kind::Object) return nullptr;
  for (const auto& kv : o.object()) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

tandem::Result<tandem::crdt::Any> load(const std::string& path) {
  auto bytes = tandem::read_file(path);
  if (!bytes) return bytes.status();
  return tandem::crdt::js_parse(std::string(bytes->begin(), bytes->end()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: convert_import_dump FIXTURES_DIR OUT_DIR\n");
    return 2;
  }
  std::string dir = argv[1], out = argv[2];
  auto index = load(dir + "/index.json");
  const tandem::crdt::Any* names = index ? member(*index, "import") : nullptr;
  if (names == nullptr || names->kind != tandem::crdt::Any::Kind::Array) {
    std::fprintf(stderr, "%s/index.json: no import list\n", dir.c_str());
    return 1;
  }
  for (const auto& name : names->array()) {
    auto f = load(dir + "/import/" + name.str + ".json");
    const tandem::crdt::Any* input = f ? member(*f, "input") : nullptr;
    const tandem::crdt::Any* format = f ? member(*f, "format") : nullptr;
    if (input == nullptr || format == nullptr) {
      std::fprintf(stderr, "%s: unreadable fixture\n", name.str.c_str());
      return 1;
    }
    tandem::crdt::DocOptions options;
    options.client_id = 1;
    tandem::crdt::Doc doc(options);
    tandem::Status st = format->str == "markdown" ? tandem::convert::import_markdown(doc, input->str)
                                                  : tandem::convert::import_html(doc, input->str);
    if (!st) {
      std::fprintf(stderr, "%s: %s\n", name.str.c_str(), st.message().c_str());
      return 1;
    }
    if (auto w = tandem::write_file(out + "/" + name.str + ".update", doc.encode_state_as_update()); !w) {
      std::fprintf(stderr, "%s: %s\n", name.str.c_str(), w.message().c_str());
      return 1;
    }
  }
  return 0;
}
