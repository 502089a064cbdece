// crdt_golden_test: Tandem against the golden fixtures that real Yjs 13.6.33 wrote
// (tests/fixtures/golden, format in its README.md). For every fixture of index.json:
//
//   doc        NAME.v1.bin / NAME.v2.bin decoded into fresh docs (roots untyped, as Y.applyUpdate
//              on a fresh Y.Doc): re-encoding in v1 and v2 is byte-identical (or equals
//              reencodedV1/V2), state vector, delete set, pending flags, every root's toJSON and
//              text delta, and the updates the load emitted (loadEmits); the same load with the
//              roots typed first (loadEmitsTypedRoots, deleteSetTypedRoots); `updates` (v1) and
//              `updatesV2` replayed one by one give the same state.
//   update     NAME.update.vN.bin applied to a fresh doc with untyped and with typed roots:
//              applyToFreshDoc / applyToFreshDocTypedRoots (roots, state vector, delete set,
//              pending, stateV1, stateV2, loadEmits); parseUpdateMeta and
//              encodeStateVectorFromUpdate(V2) of the update.
//   updateops  every operation (mergeUpdates, diffUpdate, encodeStateVectorFromUpdate,
//              parseUpdateMeta, convertUpdateFormat..., and their V2 forms) byte-identical.
//
// Fixture JSON is read with js_parse (JavaScript's number semantics), not boost.json, whose
// double parsing may be off by one ulp.
//
// Usage: crdt_golden_test [gtest flags] [FIXTURES_DIR]; without the argument, $TANDEM_GOLDEN_DIR,
// else the tree's tests/fixtures/golden (TANDEM_GOLDEN_DIR_DEFAULT). Tests are named
// FIXTURE.CHECK, e.g. --gtest_filter='text_format.*'.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crdt/content.h"
#include "crdt/doc.h"
#include "crdt/item.h"
#include "crdt/js_json.h"
#include "crdt/text.h"
#include "crdt/update_ops.h"
#include "interop_util.h"

#ifndef TANDEM_GOLDEN_DIR_DEFAULT
#define TANDEM_GOLDEN_DIR_DEFAULT "tests/fixtures/golden"
#endif

namespace fs = std::filesystem;
using namespace tandem::crdt;
using namespace tandem::interop;
using Bytes = std::vector<uint8_t>;

namespace {

std::string g_dir;

std::string path_of(const std::string& file) {
  return (fs::path(g_dir) / file).string();
}

Bytes read_bytes(const std::string& file) {
  std::ifstream in(path_of(file), std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path_of(file));
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Any read_json(const std::string& file) {
  Bytes b = read_bytes(file);
  auto v = js_parse(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  if (!v) throw std::runtime_error(file + ": " + v.error());
  return std::move(v.value());
}

const std::string& str(const Any& o, std::string_view key) {
  const Any& v = member(o, key);
  if (v.kind != Any::Kind::String)
    throw std::runtime_error("member " + std::string(key) + " is not a string");
  return v.str;
}

const char* version_name(UpdateVersion v) {
  return v == UpdateVersion::V1 ? "v1" : "v2";
}
UpdateVersion other(UpdateVersion v) {
  return v == UpdateVersion::V1 ? UpdateVersion::V2 : UpdateVersion::V1;
}

// --- checks (non-fatal: a test reports every difference it finds) -----------------------------

void expect_bytes(const std::string& what, std::span<const uint8_t> want,
                  std::span<const uint8_t> got) {
  std::string d = bytes_difference(want, got);
  if (!d.empty()) ADD_FAILURE() << what << ": " << d;
}

void expect_json(const Any& want, const Any& got, const std::string& path) {
  if (auto d = json_difference(want, got, path)) ADD_FAILURE() << *d;
}

Bytes delete_set_bytes(const Doc& doc) {
  auto enc = make_update_encoder(UpdateVersion::V1);
  doc.delete_set().write(*enc);
  return enc->finish();
}

void expect_updates(const std::string& what, const Any& want_b64, const std::vector<Bytes>& got) {
  const AnyArray& want = want_b64.array();
  EXPECT_EQ(want.size(), got.size()) << what << ": number of updates";
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    expect_bytes(what + "[" + std::to_string(i) + "]", b64decode(want[i].str), got[i]);
  }
  for (size_t i = want.size(); i < got.size(); ++i) {
    ADD_FAILURE() << what << "[" << i << "]: unexpected update " << hex_prefix(got[i]);
  }
}

void expect_pending(const Doc& doc, const Any& want) {
  EXPECT_EQ(member(want, "structs").boolean, doc.pending_structs().has_value())
      << "pending.structs";
  EXPECT_EQ(member(want, "ds").boolean, doc.pending_delete_set().has_value()) << "pending.ds";
}

// --- roots -----------------------------------------------------------------------------------

TypeKind root_kind(const std::string& t) {
  if (t == "text") return TypeKind::Text;
  if (t == "map") return TypeKind::Map;
  if (t == "array") return TypeKind::Array;
  if (t == "xml") return TypeKind::XmlFragment;
  throw std::runtime_error("unknown root type " + t);
}

// Yjs's constructor name of a type, as the generator's {"$type": ...} tag writes it.
std::string js_type_name(TypeKind k) {
  switch (k) {
    case TypeKind::Array:
      return "YArray";
    case TypeKind::Map:
      return "YMap";
    case TypeKind::Text:
      return "YText";
    case TypeKind::XmlElement:
      return "YXmlElement";
    case TypeKind::XmlFragment:
      return "YXmlFragment";
    case TypeKind::XmlHook:
      return "YXmlHook";
    case TypeKind::XmlText:
      return "YXmlText";
    default:
      return "AbstractType";
  }
}

// Types the roots (getText/getMap/getArray/getXmlFragment), as the generator does before reading
// them, or before applying an update in the typed-roots loads.
void type_roots(Doc& doc, const Any& roots) {
  for (const auto& [name, spec] : roots.object()) {
    EXPECT_NE(doc.get(name, root_kind(str(spec, "type"))), nullptr)
        << "root \"" << name << "\" exists with another type";
  }
}

struct Subdoc {
  std::string guid;
  Any opts;
};

// The subdocuments a toJSON() shows: live ContentDoc items in live types.
void collect_subdocs(const Type* t, std::vector<Subdoc>& out) {
  auto visit = [&](const Item* n) {
    if (n->deleted()) return;
    if (const auto* d = n->content.get<ContentDoc>()) out.push_back({d->data->guid, d->data->opts});
    if (const auto* ct = n->content.get<ContentType>()) collect_subdocs(ct->type.get(), out);
  };
  for (const Item* n = t->start(); n; n = n->right) visit(n);
  for (const auto& [key, item] : t->map_entries()) visit(item);
}

// The {"$doc": ...} tags of an expected value.
void collect_subdoc_tags(const Any& v, std::vector<Subdoc>& out) {
  if (v.kind == Any::Kind::Array) {
    for (const auto& e : v.array()) collect_subdoc_tags(e, out);
  } else if (v.kind == Any::Kind::Object) {
    if (const Any* d = find_member(v, "$doc")) {
      out.push_back({str(*d, "guid"), member(*d, "opts")});
      return;
    }
    for (const auto& [k, e] : v.object()) collect_subdoc_tags(e, out);
  }
}

// toJSON and delta of every root; where the expected value holds subdocuments, their guids and
// opts; where a delta holds shared types, their kinds.
void check_roots(Doc& doc, const Any& roots) {
  std::vector<Subdoc> want_docs, got_docs;
  for (const auto& [name, spec] : roots.object()) {
    SCOPED_TRACE("root \"" + name + "\"");
    const std::string& type = str(spec, "type");
    Type* t = doc.get(name, root_kind(type));
    if (!t) {
      ADD_FAILURE() << "root \"" << name << "\" exists with another type than " << type;
      continue;
    }
    expect_json(member(spec, "json"), t->to_json(), "roots[\"" + name + "\"].json");
    collect_subdoc_tags(member(spec, "json"), want_docs);
    collect_subdocs(t, got_docs);
    if (type != "text") continue;
    const Any& delta = member(spec, "delta");
    expect_json(delta, delta_json(t), "roots[\"" + name + "\"].delta");
    collect_subdoc_tags(delta, want_docs);
    // The kinds of embedded shared types, in order ({"$type": "YMap", ...} in the delta).
    std::vector<std::string> want_types, got_types;
    for (const auto& op : delta.array()) {
      if (const Any* tn = find_member(member(op, "insert"), "$type")) want_types.push_back(tn->str);
    }
    for (const Item* n = t->start(); n; n = n->right) {
      if (n->deleted()) continue;
      if (const auto* ct = n->content.get<ContentType>())
        got_types.push_back(js_type_name(ct->type->kind()));
    }
    EXPECT_EQ(want_types, got_types) << "kinds of the shared types embedded in the delta";
  }
  auto by_guid = [](const Subdoc& a, const Subdoc& b) { return a.guid < b.guid; };
  std::stable_sort(want_docs.begin(), want_docs.end(), by_guid);
  std::stable_sort(got_docs.begin(), got_docs.end(), by_guid);
  EXPECT_EQ(want_docs.size(), got_docs.size()) << "number of live subdocuments";
  for (size_t i = 0; i < want_docs.size() && i < got_docs.size(); ++i) {
    EXPECT_EQ(want_docs[i].guid, got_docs[i].guid) << "subdocument guids";
    expect_json(want_docs[i].opts, got_docs[i].opts,
                "subdocument \"" + want_docs[i].guid + "\".opts");
  }
}

// --- loading ---------------------------------------------------------------------------------

// A fresh doc as the generator makes it for loading (client id 0, which no fixture uses) that
// records the updates of its local transactions (a formatting cleanup after a remote change).
std::unique_ptr<Doc> fresh_doc(bool gc, std::vector<Bytes>* local_updates) {
  auto doc = std::make_unique<Doc>(DocOptions{.client_id = 0, .gc = gc});
  if (local_updates) {
    doc->on_update([local_updates](std::span<const uint8_t> u, Origin origin, Transaction&) {
      if (origin == Origin::Local) local_updates->emplace_back(u.begin(), u.end());
    });
  }
  return doc;
}

// --- fixtures --------------------------------------------------------------------------------

struct Fixture {
  std::string name;
  std::string kind;
  Any manifest;  // the index.json entry
  Any json;      // NAME.json
};

// doc: NAME.vN.bin decoded into a fresh doc with untyped roots.
void doc_decode(const Fixture& f, UpdateVersion v) {
  const Any& j = f.json;
  const bool gc = member(j, "gc").boolean;
  Bytes bin = read_bytes(f.name + "." + version_name(v) + ".bin");
  Bytes other_bin = read_bytes(f.name + "." + version_name(other(v)) + ".bin");
  std::vector<Bytes> emitted;
  auto doc = fresh_doc(gc, &emitted);
  tandem::Status st = doc->apply_update(bin, v);
  ASSERT_TRUE(st.ok()) << "apply_update: " << st.message();

  const Any& stable = member(j, "reencodeStable");
  const bool stable_v = member(stable, version_name(v)).boolean;
  const bool stable_other = member(stable, version_name(other(v))).boolean;
  Bytes want_same =
      stable_v ? bin : b64decode(str(j, v == UpdateVersion::V1 ? "reencodedV1" : "reencodedV2"));
  expect_bytes(std::string("encode_state_as_update ") + version_name(v), want_same,
               doc->encode_state_as_update({}, v));
  // Yjs re-encodes both versions identically, so the doc it decodes has the source doc's
  // structs, and the other version's encoding is the other file.
  if (stable_v && stable_other) {
    expect_bytes(std::string("encode_state_as_update ") + version_name(other(v)), other_bin,
                 doc->encode_state_as_update({}, other(v)));
  }
  expect_bytes("encode_state_vector", b64decode(str(j, "stateVector")), doc->encode_state_vector());
  Bytes ds = b64decode(str(j, "deleteSet"));
  expect_bytes("delete set", ds, delete_set_bytes(*doc));
  expect_pending(*doc, member(j, "pending"));
  if (!member(member(j, "pending"), "structs").boolean &&
      !member(member(j, "pending"), "ds").boolean) {
    // encodeStateAsUpdate(doc, encodeStateVector(doc)) is [0 structs] + the delete set.
    Bytes tail{0};
    tail.insert(tail.end(), ds.begin(), ds.end());
    expect_bytes("encode_state_as_update(own state vector)", tail,
                 doc->encode_state_as_update(doc->state_vector()));
  }
  expect_updates("loadEmits", member(j, "loadEmits"), emitted);
  check_roots(*doc, member(j, "roots"));
}

// doc: NAME.v1.bin loaded into a fresh doc whose roots are typed first.
void doc_load_typed_roots(const Fixture& f) {
  const Any& j = f.json;
  Bytes bin = read_bytes(f.name + ".v1.bin");
  std::vector<Bytes> emitted;
  auto doc = fresh_doc(member(j, "gc").boolean, &emitted);
  type_roots(*doc, member(j, "roots"));
  tandem::Status st = doc->apply_update(bin);
  ASSERT_TRUE(st.ok()) << "apply_update: " << st.message();
  const Any& want_emits = member(j, "loadEmitsTypedRoots");
  expect_updates("loadEmitsTypedRoots", want_emits, emitted);
  const bool cleanup = !want_emits.array().empty();
  expect_bytes(cleanup ? "delete set (deleteSetTypedRoots)" : "delete set",
               b64decode(str(j, cleanup ? "deleteSetTypedRoots" : "deleteSet")),
               delete_set_bytes(*doc));
  expect_bytes("encode_state_vector", b64decode(str(j, "stateVector")), doc->encode_state_vector());
  expect_pending(*doc, member(j, "pending"));
  if (!cleanup && member(member(j, "reencodeStable"), "v1").boolean) {
    // Nothing ran on load: the same structs as the untyped load.
    expect_bytes("encode_state_as_update v1", bin, doc->encode_state_as_update());
  }
  check_roots(*doc, member(j, "roots"));
}

// doc: `updates` (v1) or `updatesV2` applied one by one to a fresh doc with untyped roots.
void doc_replay(const Fixture& f, UpdateVersion v) {
  const Any& j = f.json;
  const AnyArray& updates = member(j, v == UpdateVersion::V1 ? "updates" : "updatesV2").array();
  std::vector<Bytes> emitted;
  auto doc = fresh_doc(member(j, "gc").boolean, &emitted);
  for (size_t i = 0; i < updates.size(); ++i) {
    tandem::Status st = doc->apply_update(b64decode(updates[i].str), v);
    ASSERT_TRUE(st.ok()) << "apply_update of update " << i << ": " << st.message();
  }
  // Untyped roots: Yjs runs no formatting cleanup, so nothing is emitted.
  expect_updates("updates emitted while replaying", Any::Array({}), emitted);
  expect_bytes("encode_state_vector", b64decode(str(j, "stateVector")), doc->encode_state_vector());
  expect_bytes("delete set", b64decode(str(j, "deleteSet")), delete_set_bytes(*doc));
  expect_pending(*doc, member(j, "pending"));
  check_roots(*doc, member(j, "roots"));
}

// update: NAME.update.vN.bin applied to a fresh doc (roots typed before or after the apply).
void update_apply(const Fixture& f, UpdateVersion v, bool typed_roots) {
  const Any& j = f.json;
  const Any& want = member(j, typed_roots ? "applyToFreshDocTypedRoots" : "applyToFreshDoc");
  Bytes bin = read_bytes(f.name + ".update." + version_name(v) + ".bin");
  std::vector<Bytes> emitted;
  auto doc = fresh_doc(member(j, "gc").boolean, &emitted);
  if (typed_roots) type_roots(*doc, member(want, "roots"));
  tandem::Status st = doc->apply_update(bin, v);
  ASSERT_TRUE(st.ok()) << "apply_update: " << st.message();
  expect_updates("loadEmits", member(want, "loadEmits"), emitted);
  expect_bytes("encode_state_vector", b64decode(str(want, "stateVector")),
               doc->encode_state_vector());
  expect_bytes("delete set", b64decode(str(want, "deleteSet")), delete_set_bytes(*doc));
  expect_pending(*doc, member(want, "pending"));
  expect_bytes("encode_state_as_update v1 (stateV1)", b64decode(str(want, "stateV1")),
               doc->encode_state_as_update({}, UpdateVersion::V1));
  expect_bytes("encode_state_as_update v2 (stateV2)", b64decode(str(want, "stateV2")),
               doc->encode_state_as_update({}, UpdateVersion::V2));
  check_roots(*doc, member(want, "roots"));
}

// [[client, clock], ...] sorted by client, as the generator writes parseUpdateMeta maps.
Any pairs(const StateVector& sv) {
  AnyArray out;
  for (const auto& [client, clock] : sv) {
    out.push_back(Any::Array(
        {Any::Number(static_cast<double>(client)), Any::Number(static_cast<double>(clock))}));
  }
  return Any::Array(std::move(out));
}

void expect_meta(const std::string& what, const Any& want, Update update, UpdateVersion v) {
  auto meta = parse_update_meta(update, v);
  if (!meta) {
    ADD_FAILURE() << what << ": " << meta.error();
    return;
  }
  expect_json(member(want, "from"), pairs(meta->from), what + ".from");
  expect_json(member(want, "to"), pairs(meta->to), what + ".to");
}

void expect_result(const std::string& what, const Bytes& want, tandem::Result<Bytes> got) {
  if (!got) {
    ADD_FAILURE() << what << ": " << got.error();
    return;
  }
  expect_bytes(what, want, *got);
}

// update: parseUpdateMeta and encodeStateVectorFromUpdate(V2) of the update.
void update_functions(const Fixture& f) {
  const Any& j = f.json;
  Bytes v1 = read_bytes(f.name + ".update.v1.bin");
  Bytes v2 = read_bytes(f.name + ".update.v2.bin");
  expect_meta("parse_update_meta v1", member(j, "parseUpdateMeta"), v1, UpdateVersion::V1);
  expect_meta("parse_update_meta v2", member(j, "parseUpdateMeta"), v2, UpdateVersion::V2);
  expect_result("state_vector_from_update v1", b64decode(str(j, "encodeStateVectorFromUpdate")),
                state_vector_from_update(v1, UpdateVersion::V1));
  expect_result("state_vector_from_update v2", b64decode(str(j, "encodeStateVectorFromUpdateV2")),
                state_vector_from_update(v2, UpdateVersion::V2));
}

// updateops: one operation.
void update_operation(const Fixture& f, const Any& op) {
  const std::string& fn = str(op, "fn");
  std::vector<Bytes> inputs;
  for (const auto& in : member(op, "inputs").array()) inputs.push_back(read_bytes(in.str));
  std::vector<Update> spans(inputs.begin(), inputs.end());
  const bool is_v2 = fn.size() > 2 && fn.compare(fn.size() - 2, 2, "V2") == 0;
  const UpdateVersion v = is_v2 ? UpdateVersion::V2 : UpdateVersion::V1;
  auto output = [&] { return read_bytes(str(op, "output")); };
  ASSERT_FALSE(inputs.empty());
  if (fn == "mergeUpdates" || fn == "mergeUpdatesV2") {
    expect_result("merge_updates", output(), merge_updates(spans, v));
  } else if (fn == "diffUpdate" || fn == "diffUpdateV2") {
    ASSERT_EQ(inputs.size(), 1u);
    expect_result("diff_update", output(),
                  diff_update(spans[0], b64decode(str(op, "stateVector")), v));
  } else if (fn == "encodeStateVectorFromUpdate" || fn == "encodeStateVectorFromUpdateV2") {
    ASSERT_EQ(inputs.size(), 1u);
    expect_result("state_vector_from_update", output(), state_vector_from_update(spans[0], v));
  } else if (fn == "parseUpdateMeta" || fn == "parseUpdateMetaV2") {
    ASSERT_EQ(inputs.size(), 1u);
    expect_meta("parse_update_meta", member(op, "result"), spans[0], v);
  } else if (fn == "convertUpdateFormatV1ToV2") {
    ASSERT_EQ(inputs.size(), 1u);
    expect_result("convert_update v1->v2", output(),
                  convert_update(spans[0], UpdateVersion::V1, UpdateVersion::V2));
  } else if (fn == "convertUpdateFormatV2ToV1") {
    ASSERT_EQ(inputs.size(), 1u);
    expect_result("convert_update v2->v1", output(),
                  convert_update(spans[0], UpdateVersion::V2, UpdateVersion::V1));
  } else {
    ADD_FAILURE() << f.name << ": unknown operation " << fn;
  }
}

// The manifest: every fixture's files exist, NAME.json agrees with its entry, and every file in
// the folder belongs to a fixture.
void check_manifest(const Any& index) {
  EXPECT_EQ(str(index, "yjs"), "13.6.33");
  std::set<std::string> names, listed{"README.md", "index.json"};
  for (const auto& e : member(index, "fixtures").array()) {
    const std::string& name = str(e, "name");
    SCOPED_TRACE("fixture " + name);
    EXPECT_TRUE(names.insert(name).second) << "duplicate fixture name";
    const std::string& kind = str(e, "kind");
    EXPECT_TRUE(kind == "doc" || kind == "update" || kind == "updateops")
        << "unknown kind " << kind;
    std::set<std::string> files;
    for (const auto& file : member(e, "files").array()) {
      files.insert(file.str);
      listed.insert(file.str);
      EXPECT_TRUE(fs::is_regular_file(path_of(file.str))) << "missing file " << file.str;
    }
    std::vector<std::string> required{name + ".json"};
    if (kind == "doc") required.insert(required.end(), {name + ".v1.bin", name + ".v2.bin"});
    if (kind == "update")
      required.insert(required.end(), {name + ".update.v1.bin", name + ".update.v2.bin"});
    for (const auto& r : required) EXPECT_TRUE(files.count(r)) << "files does not list " << r;
    if (kind == "updateops") {
      for (const auto& op : member(e, "operations").array()) {
        for (const auto& in : member(op, "inputs").array())
          EXPECT_TRUE(files.count(in.str)) << in.str;
        if (const Any* out = find_member(op, "output")) {
          EXPECT_TRUE(files.count(out->str)) << out->str;
        }
      }
    }
  }
  for (const auto& entry : fs::directory_iterator(g_dir)) {
    std::string file = entry.path().filename().string();
    EXPECT_TRUE(listed.count(file)) << "file not listed in index.json: " << file;
  }
}

// --- registration ----------------------------------------------------------------------------

class GoldenTest : public testing::Test {
 public:
  explicit GoldenTest(std::function<void()> body) : body_(std::move(body)) {}
  void TestBody() override {
    try {
      body_();
    } catch (const std::exception& e) {
      FAIL() << "exception: " << e.what();
    }
  }

 private:
  std::function<void()> body_;
};

void add(const std::string& suite, const std::string& name, std::function<void()> body) {
  testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                        [body]() -> GoldenTest* { return new GoldenTest(body); });
}

void register_fixture(const std::shared_ptr<const Fixture>& f) {
  const std::string& n = f->name;
  const auto V1 = UpdateVersion::V1, V2 = UpdateVersion::V2;
  if (f->kind == "doc") {
    add(n, "decode_v1", [f, V1] { doc_decode(*f, V1); });
    add(n, "decode_v2", [f, V2] { doc_decode(*f, V2); });
    add(n, "load_typed_roots", [f] { doc_load_typed_roots(*f); });
    add(n, "replay_updates_v1", [f, V1] { doc_replay(*f, V1); });
    add(n, "replay_updates_v2", [f, V2] { doc_replay(*f, V2); });
  } else if (f->kind == "update") {
    add(n, "apply_v1", [f, V1] { update_apply(*f, V1, false); });
    add(n, "apply_v2", [f, V2] { update_apply(*f, V2, false); });
    add(n, "apply_v1_typed_roots", [f, V1] { update_apply(*f, V1, true); });
    add(n, "apply_v2_typed_roots", [f, V2] { update_apply(*f, V2, true); });
    add(n, "update_functions", [f] { update_functions(*f); });
  } else if (f->kind == "updateops") {
    add(n, "operations_match_manifest", [f] {
      expect_json(member(f->manifest, "operations"), member(f->json, "operations"), "operations");
    });
    const AnyArray& ops = member(f->json, "operations").array();
    for (size_t i = 0; i < ops.size(); ++i) {
      std::string idx = (i < 10 ? "0" : "") + std::to_string(i) + "_";
      Any op = ops[i];
      add(n, idx + str(op, "fn"), [f, op] { update_operation(*f, op); });
    }
  } else {
    add(n, "kind", [f] { FAIL() << "unknown fixture kind " << f->kind; });
  }
}

void register_tests() {
  Any index;
  try {
    index = read_json("index.json");
  } catch (const std::exception& e) {
    std::string what = e.what();
    add("manifest", "index", [what] { FAIL() << "cannot read the manifest: " << what; });
    return;
  }
  add("manifest", "index", [index] { check_manifest(index); });
  for (const auto& e : member(index, "fixtures").array()) {
    auto f = std::make_shared<Fixture>();
    f->name = str(e, "name");
    f->kind = str(e, "kind");
    f->manifest = e;
    try {
      f->json = read_json(f->name + ".json");
      if (str(f->json, "name") != f->name || str(f->json, "kind") != f->kind) {
        throw std::runtime_error(f->name + ".json: name or kind differ from index.json");
      }
    } catch (const std::exception& ex) {
      std::string what = ex.what();
      add(f->name, "read", [what] { FAIL() << what; });
      continue;
    }
    register_fixture(f);
  }
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);  // removes its own flags from argv
  if (argc > 1) {
    g_dir = argv[1];
  } else if (const char* env = std::getenv("TANDEM_GOLDEN_DIR"); env && *env) {
    g_dir = env;
  } else {
    g_dir = TANDEM_GOLDEN_DIR_DEFAULT;
  }
  std::cout << "golden fixtures: " << g_dir << "\n";
  register_tests();
  return RUN_ALL_TESTS();
}
