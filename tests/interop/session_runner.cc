// crdt_session_runner: replays the differential sessions of gen_sessions.mjs (format and
// contract in SESSIONS.md) with Tandem's CRDT and checks every recorded byte and value that
// real Yjs produced: each local transaction's update (v1 and v2), sync payloads, snapshots
// (content, delta, state vector, delete set, state as v1 and v2, pending), merged updates and
// a rebuild from them.
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <optional>

#include "crdt/doc.h"
#include "crdt/js_json.h"
#include "crdt/list_ops.h"
#include "crdt/text.h"
#include "crdt/update_apply.h"
#include "crdt/update_ops.h"
#include "crdt/xml.h"
#include "interop_util.h"

namespace json = boost::json;
using namespace tandem::crdt;
using namespace tandem::interop;

namespace {

struct Mismatch {
  std::string what;
};

void expect_bytes(const std::string& what, std::span<const uint8_t> want, std::span<const uint8_t> got) {
  if (!std::equal(want.begin(), want.end(), got.begin(), got.end())) {
    throw Mismatch{what + ": expected " + hex_prefix(want) + " got " + hex_prefix(got)};
  }
}

std::string show(const Any& a) { return js_stringify(a); }

const char* kRoots[] = {"text", "map", "array", "xml"};
const TypeKind kRootKinds[] = {TypeKind::Text, TypeKind::Map, TypeKind::Array, TypeKind::XmlFragment};

std::unique_ptr<Doc> new_peer(ClientId client) {
  auto doc = std::make_unique<Doc>(DocOptions{.client_id = client, .gc = true});
  for (int i = 0; i < 4; ++i) doc->get(kRoots[i], kRootKinds[i]);
  return doc;
}

void check_snapshot(const std::string& where, Doc& doc, const Any& want) {
  const Any& wj = member(want, "json");
  for (int i = 0; i < 4; ++i) {
    Any got = doc.get(kRoots[i])->to_json();
    if (!same(member(wj, kRoots[i]), got)) {
      throw Mismatch{where + " json." + kRoots[i] + ": expected " + show(member(wj, kRoots[i])) +
                     " got " + show(got)};
    }
  }
  Any delta = delta_json(doc.get("text"));
  if (!same(member(want, "delta"), delta)) {
    throw Mismatch{where + " delta: expected " + show(member(want, "delta")) + " got " + show(delta)};
  }
  expect_bytes(where + " sv", b64decode(member(want, "sv").str), doc.encode_state_vector());
  auto ds_enc = make_update_encoder(UpdateVersion::V1);
  doc.delete_set().write(*ds_enc);
  expect_bytes(where + " ds", b64decode(member(want, "ds").str), ds_enc->finish());
  expect_bytes(where + " state", b64decode(member(want, "state").str), doc.encode_state_as_update());
  expect_bytes(where + " stateV2", b64decode(member(want, "stateV2").str),
               doc.encode_state_as_update({}, UpdateVersion::V2));
  const Any& p = member(want, "pending");
  bool ps = doc.pending_structs().has_value(), pd = doc.pending_delete_set().has_value();
  if (member(p, "structs").boolean != ps || member(p, "ds").boolean != pd) {
    throw Mismatch{where + " pending: expected " + show(p) + " got structs=" + std::to_string(ps) +
                   " ds=" + std::to_string(pd)};
  }
}

class Session {
 public:
  Session(const json::object& s, Any line) : s_(s), line_(std::move(line)) {
    for (const auto& c : s.at("peers").get_array()) {
      size_t index = peers_.size();
      peers_.push_back(new_peer(static_cast<ClientId>(c.to_number<double>())));
      peers_.back()->on_update([this, index](std::span<const uint8_t> v1, Origin origin, Transaction& t) {
        if (origin == Origin::Remote) return;
        emitted_.push_back({index, std::vector<uint8_t>(v1.begin(), v1.end()),
                            encode_transaction_update(*peers_[index], t, UpdateVersion::V2)});
      });
    }
  }

  void run() {
    const auto& ops = s_.at("ops").get_array();
    for (size_t i = 0; i < ops.size(); ++i) {
      const auto& op = ops[i].get_object();
      const Any& op_any = member(line_, "ops").array()[i];
      std::string kind(op.at("op").get_string());
      try {
        emitted_.clear();
        run_op(kind, op, op_any);
        check_emits(op);
      } catch (Mismatch& m) {
        m.what = "op " + std::to_string(i) + " (" + kind + "): " + m.what;
        throw;
      }
    }
    const auto& finals = member(line_, "final").array();
    for (size_t i = 0; i < peers_.size(); ++i) {
      check_snapshot("final peer " + std::to_string(i), *peers_[i], finals[i]);
    }
    check_merged();
  }

 private:
  struct Emitted {
    size_t peer;
    std::vector<uint8_t> v1, v2;
  };

  Type* resolve(Doc& doc, const json::array& path) {
    Type* t = doc.get(std::string(path[0].get_string()));
    for (size_t i = 1; i < path.size(); ++i) {
      Item* item = nullptr;
      if (path[i].is_string()) {
        item = map_get(t, std::string(path[i].get_string()));
      } else {
        uint64_t index = static_cast<uint64_t>(path[i].to_number<int64_t>());
        for (Item* n = t->start(); n; n = n->right) {
          if (n->deleted() || !n->countable()) continue;
          if (index < n->length) { item = n; break; }
          index -= n->length;
        }
      }
      auto* ct = item ? item->content.get<ContentType>() : nullptr;
      if (!ct) throw Mismatch{"path " + json::serialize(path) + " does not resolve to a type"};
      t = ct->type.get();
    }
    return t;
  }

  static ListValue build_value(const Any& spec) {
    if (auto* j = find_member(spec, "json")) return ListValue::Json(*j);
    if (auto* b = find_member(spec, "binary")) return ListValue::Binary(b64decode(b->str));
    std::string type = member(spec, "type").str;
    const Any* init = find_member(spec, "init");
    std::unique_ptr<Type> t;
    if (type == "map") {
      t = std::make_unique<Type>(TypeKind::Map);
      if (init) {
        AnyObject entries = init->object();
        t->set_prelim([entries](Transaction& tr, Type* m) {
          for (const auto& [k, v] : entries) map_set(tr, m, k, ListValue::Json(v));
        });
      }
    } else if (type == "array") {
      t = std::make_unique<Type>(TypeKind::Array);
      if (init && !init->array().empty()) {
        AnyArray values = init->array();
        t->set_prelim([values](Transaction& tr, Type* a) {
          std::vector<ListValue> vs;
          for (const auto& v : values) vs.push_back(ListValue::Json(v));
          (void)list_insert(tr, a, 0, std::move(vs));
        });
      }
    } else {
      t = std::make_unique<Type>(TypeKind::Text);
      std::string text = init ? init->str : "";
      if (!text.empty()) {
        t->set_prelim([text](Transaction& tr, Type* x) { (void)text_insert(tr, x, 0, text, nullptr); });
      }
    }
    return ListValue::Nested(std::move(t));
  }

  static void must(const tandem::Status& st, const std::string& what) {
    if (!st) throw Mismatch{what + " failed: " + st.message()};
  }

  void run_local(Doc& doc, const std::string& kind, const json::object& op, const Any& oa) {
    doc.transact([&](Transaction& t) {
      Type* x = resolve(doc, op.at("path").get_array());
      auto u64 = [&](const char* k) { return static_cast<uint64_t>(op.at(k).to_number<int64_t>()); };
      if (kind == "text.insert") {
        std::optional<Attributes> a;
        if (auto* v = find_member(oa, "attrs")) a = v->object();
        must(text_insert(t, x, u64("index"), std::string(op.at("text").get_string()), a ? &*a : nullptr), kind);
      } else if (kind == "text.delete") {
        must(text_delete(t, x, u64("index"), u64("length")), kind);
      } else if (kind == "text.format") {
        must(text_format(t, x, u64("index"), u64("length"), member(oa, "attrs").object()), kind);
      } else if (kind == "text.embed") {
        Attributes a;
        if (auto* v = find_member(oa, "attrs")) a = v->object();
        must(text_insert_embed(t, x, u64("index"), member(oa, "embed"), &a), kind);
      } else if (kind == "map.set") {
        map_set(t, x, std::string(op.at("key").get_string()), build_value(member(oa, "value")));
      } else if (kind == "map.delete") {
        map_delete(t, x, std::string(op.at("key").get_string()));
      } else if (kind == "array.insert") {
        std::vector<ListValue> vs;
        for (const auto& v : member(oa, "values").array()) vs.push_back(build_value(v));
        auto r = list_insert(t, x, u64("index"), std::move(vs));
        if (!r) throw Mismatch{kind + " failed: " + r.error()};
      } else if (kind == "array.delete" || kind == "xml.delete") {
        must(list_delete(t, x, u64("index"), u64("length")), kind);
      } else if (kind == "xml.insertElement") {
        auto el = std::make_unique<Type>(TypeKind::XmlElement, std::string(op.at("name").get_string()));
        AnyObject attrs = member(oa, "attrs").object();
        if (!attrs.empty()) {
          el->set_prelim([attrs](Transaction& tr, Type* e) {
            for (const auto& [k, v] : attrs) xml_set_attribute(tr, e, k, v);
          });
        }
        std::vector<ListValue> vs;
        vs.push_back(ListValue::Nested(std::move(el)));
        auto r = list_insert(t, x, u64("index"), std::move(vs));
        if (!r) throw Mismatch{kind + " failed: " + r.error()};
      } else if (kind == "xml.insertText") {
        auto tx = std::make_unique<Type>(TypeKind::XmlText);
        if (auto* v = op.if_contains("text")) {
          std::string text(v->get_string());
          if (!text.empty()) {
            tx->set_prelim([text](Transaction& tr, Type* e) { (void)text_insert(tr, e, 0, text, nullptr); });
          }
        }
        std::vector<ListValue> vs;
        vs.push_back(ListValue::Nested(std::move(tx)));
        auto r = list_insert(t, x, u64("index"), std::move(vs));
        if (!r) throw Mismatch{kind + " failed: " + r.error()};
      } else if (kind == "xml.setAttr") {
        xml_set_attribute(t, x, std::string(op.at("key").get_string()), member(oa, "value"));
      } else if (kind == "xml.removeAttr") {
        xml_remove_attribute(t, x, std::string(op.at("key").get_string()));
      } else {
        throw Mismatch{"unknown op " + kind};
      }
    });
  }

  void apply(size_t peer, std::span<const uint8_t> update, const std::string& what) {
    tandem::Status st = peers_[peer]->apply_update(update);
    if (!st) throw Mismatch{what + ": apply_update failed: " + st.message()};
  }

  void run_op(const std::string& kind, const json::object& op, const Any& op_any) {
    auto idx = [&](const char* k) { return static_cast<size_t>(op.at(k).to_number<int64_t>()); };
    if (kind == "deliver") {
      const auto& u = s_.at("updates").get_array()[idx("update")].get_object();
      apply(idx("to"), b64decode(u.at("v1").get_string()), "deliver");
    } else if (kind == "sync") {
      Doc& a = *peers_[idx("a")];
      Doc& b = *peers_[idx("b")];
      StateVector sva = a.state_vector(), svb = b.state_vector();
      auto to_a = b.encode_state_as_update(sva);
      auto to_b = a.encode_state_as_update(svb);
      expect_bytes("sync toA", b64decode(op.at("toA").get_string()), to_a);
      expect_bytes("sync toB", b64decode(op.at("toB").get_string()), to_b);
      apply(idx("a"), to_a, "sync toA");
      apply(idx("b"), to_b, "sync toB");
    } else if (kind == "disconnect" || kind == "reconnect") {
      // bookkeeping only
    } else if (kind == "check") {
      check_snapshot("check peer " + std::to_string(idx("peer")), *peers_[idx("peer")],
                     member(op_any, "expect"));
    } else {
      run_local(*peers_[idx("peer")], kind, op, op_any);
    }
  }

  void check_emits(const json::object& op) {
    const json::value* emits = op.if_contains("emits");
    size_t want_n = emits ? emits->get_array().size() : 0;
    if (want_n != emitted_.size()) {
      throw Mismatch{"expected " + std::to_string(want_n) + " update(s), emitted " +
                     std::to_string(emitted_.size()) +
                     (emitted_.empty() ? "" : " (first: " + hex_prefix(emitted_[0].v1) + ")")};
    }
    const auto& updates = s_.at("updates").get_array();
    for (size_t i = 0; i < want_n; ++i) {
      const auto& u = updates[static_cast<size_t>(emits->get_array()[i].to_number<int64_t>())].get_object();
      size_t peer = static_cast<size_t>(u.at("peer").to_number<int64_t>());
      if (peer != emitted_[i].peer) throw Mismatch{"update emitted by the wrong peer"};
      expect_bytes("update v1", b64decode(u.at("v1").get_string()), emitted_[i].v1);
      expect_bytes("update v2", b64decode(u.at("v2").get_string()), emitted_[i].v2);
      all_v1_.push_back(emitted_[i].v1);
      all_v2_.push_back(emitted_[i].v2);
    }
  }

  void check_merged() {
    const auto& m = s_.at("merged").get_object();
    std::vector<Update> v1(all_v1_.begin(), all_v1_.end()), v2(all_v2_.begin(), all_v2_.end());
    auto merged = merge_updates(v1, UpdateVersion::V1);
    if (!merged) throw Mismatch{"merge_updates: " + merged.error()};
    expect_bytes("merged v1", b64decode(m.at("v1").get_string()), *merged);
    auto merged2 = merge_updates(v2, UpdateVersion::V2);
    if (!merged2) throw Mismatch{"merge_updates v2: " + merged2.error()};
    expect_bytes("merged v2", b64decode(m.at("v2").get_string()), *merged2);
    const Any& ma = member(line_, "merged");
    const Any* cid = find_member(ma, "clientId");
    auto fresh = new_peer(cid ? static_cast<ClientId>(cid->number) : 424242);
    std::vector<std::vector<uint8_t>> emits;
    fresh->on_update([&](std::span<const uint8_t> update, Origin origin, Transaction&) {
      if (origin != Origin::Remote) emits.emplace_back(update.begin(), update.end());
    });
    tandem::Status st = fresh->apply_update(*merged);
    if (!st) throw Mismatch{"rebuild from merged: " + st.message()};
    if (const Any* want = find_member(ma, "emits")) {
      if (want->array().size() != emits.size()) {
        throw Mismatch{"rebuild from merged: expected " + std::to_string(want->array().size()) +
                       " cleanup update(s), emitted " + std::to_string(emits.size())};
      }
      for (size_t i = 0; i < emits.size(); ++i) {
        expect_bytes("rebuild from merged: cleanup update", b64decode(want->array()[i].str), emits[i]);
      }
    }
    check_snapshot("rebuild from merged", *fresh, member(member(line_, "merged"), "expect"));
  }

  const json::object& s_;
  Any line_;  // the same session parsed with JS number semantics (js_parse)
  std::vector<std::unique_ptr<Doc>> peers_;
  std::vector<Emitted> emitted_;
  std::vector<std::vector<uint8_t>> all_v1_, all_v2_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: crdt_session_runner FILE.jsonl [FILE...]  (- for stdin)\n";
    return 2;
  }
  size_t passed = 0, failed = 0;
  for (int f = 1; f < argc && failed == 0; ++f) {
    std::string name = argv[f];
    std::ifstream file;
    std::istream* in = &std::cin;
    if (name != "-") {
      file.open(name);
      if (!file) {
        std::cerr << "cannot open " << name << "\n";
        return 2;
      }
      in = &file;
    }
    std::string line;
    size_t line_no = 0;
    while (std::getline(*in, line)) {
      ++line_no;
      if (line.empty()) continue;
      json::value v;
      try {
        v = json::parse(line);
        auto exact = js_parse(line);
        if (!exact) throw std::runtime_error(exact.error());
        Session(v.as_object(), std::move(exact.value())).run();
        ++passed;
      } catch (const Mismatch& m) {
        ++failed;
        const auto* o = v.if_object();
        std::cerr << name << ":" << line_no << ": seed "
                  << (o && o->contains("seed") ? json::serialize(o->at("seed")) : "?") << " index "
                  << (o && o->contains("index") ? json::serialize(o->at("index")) : "?") << ": "
                  << m.what << "\n";
        break;
      } catch (const std::exception& e) {
        ++failed;
        std::cerr << name << ":" << line_no << ": unreadable session: " << e.what() << "\n";
        break;
      }
    }
  }
  std::cout << "sessions: " << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
