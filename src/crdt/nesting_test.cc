// Documents that nest types far deeper than any stack holds frames for: a hostile peer can
// send one in a few MB. They load, read and are destroyed without recursion running away.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/doc.h"
#include "crdt/lib0_encoding.h"
#include "crdt/type.h"
#include "crdt/xml.h"

namespace tandem::crdt {
namespace {

constexpr size_t kDeep = 100'000;
constexpr uint8_t kTypeContent = 7, kHasParentSub = 0x20;
constexpr uint64_t kMapRef = 1, kXmlElementRef = 3;

// A v1 update of client 1: struct 0 is a type under root `root`, struct k a type inside struct
// k - 1 (under map key `key` if given, else as its first child).
std::vector<uint8_t> nested_chain(const std::string& root, uint64_t type_ref, const std::string& key) {
  Encoder e;
  e.write_var_uint(1);  // one client
  e.write_var_uint(kDeep);
  e.write_var_uint(1);  // client
  e.write_var_uint(0);  // first clock
  for (size_t k = 0; k < kDeep; ++k) {
    e.write_u8(kTypeContent | (key.empty() ? 0 : kHasParentSub));
    if (k == 0) {
      e.write_var_uint(1);  // parent: a root, by name
      e.write_var_string(root);
    } else {
      e.write_var_uint(0);  // parent: the type of an item
      e.write_var_uint(1);
      e.write_var_uint(k - 1);
    }
    if (!key.empty()) e.write_var_string(key);
    e.write_var_uint(type_ref);
    if (type_ref == kXmlElementRef) e.write_var_string("p");
  }
  e.write_var_uint(0);  // no deletes
  return e.take();
}

TEST(Nesting, ToJsonOfDeeplyNestedMapsStopsAtTheReadLimit) {
  auto doc = std::make_unique<Doc>();
  ASSERT_TRUE(doc->apply_update(nested_chain("m", kMapRef, "k")).ok());
  Any json = doc->get("m", TypeKind::Map)->to_json();
  // Down the "k" keys: one object per nesting level up to the limit, then undefined.
  int objects = 0;
  const Any* v = &json;
  while (v->kind == Any::Kind::Object) {
    ASSERT_EQ(v->object().size(), 1u);
    ASSERT_EQ(v->object()[0].first, "k");
    v = &v->object()[0].second;
    ++objects;
  }
  EXPECT_TRUE(v->is_undefined());
  EXPECT_EQ(objects, 1 + kMaxReadNesting);  // the root's object, then nested types 1..limit
  doc.reset();  // destroying the chain must not recurse either
}

TEST(Nesting, XmlToStringOfDeeplyNestedElementsStopsAtTheReadLimit) {
  Doc doc;
  ASSERT_TRUE(doc.apply_update(nested_chain("x", kXmlElementRef, "")).ok());
  std::string xml = xml_to_string(doc.get("x", TypeKind::XmlFragment));
  size_t opened = 0;
  for (size_t at = xml.find("<p>"); at != std::string::npos; at = xml.find("<p>", at + 1)) ++opened;
  EXPECT_EQ(opened, static_cast<size_t>(kMaxReadNesting));
}

}  // namespace
}  // namespace tandem::crdt
