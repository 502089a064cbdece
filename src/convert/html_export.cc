// render_html (export.h): the tags of TipTap 3's renderHTML for each node and mark.
//   paragraph <p>, heading <hN>, blockquote <blockquote>, bulletList <ul>, orderedList <ol>
//   (start when not 1, type when one of 1 a A i I), listItem <li>, codeBlock
//   <pre><code class="language-X">, hardBreak <br>, horizontalRule <hr>; marks: link <a>, bold
//   <strong>, italic <em>, strike <s>, code <code>, underline <u>.
// Marks nest in schema order (link outermost); a run of text closes only the marks it loses.
#include <string>
#include <vector>

#include "convert/export.h"

namespace tandem::convert {

namespace {

void escape_html(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

// The marks of `n` that HTML renders: known marks, links only with a safe href.
std::vector<PmMark> rendered_marks(const PmNode& n) {
  std::vector<PmMark> out;
  for (const PmMark& m : n.marks) {
    if (find_mark_spec(m.type) == nullptr) continue;
    if (m.type == "link") {
      const crdt::Any* href = nullptr;
      for (const auto& kv : m.attrs) {
        if (kv.first == "href") href = &kv.second;
      }
      if (href == nullptr || href->kind != crdt::Any::Kind::String || !is_safe_href(href->str)) {
        continue;
      }
    }
    out.push_back(m);
  }
  return out;
}

std::string attr_string(const PmMark& m, std::string_view key) {
  for (const auto& kv : m.attrs) {
    if (kv.first == key) return any_to_string(kv.second).value_or("");
  }
  return {};
}

void open_mark(const PmMark& m, std::string& out) {
  if (m.type == "link") {
    out += "<a href=\"";
    escape_html(attr_string(m, "href"), out);
    out += '"';
    if (attr_string(m, "target") == "_blank") out += " target=\"_blank\"";
    out += " rel=\"noopener noreferrer nofollow\"";
    std::string title = attr_string(m, "title");
    if (!title.empty()) {
      out += " title=\"";
      escape_html(title, out);
      out += '"';
    }
    out += '>';
  } else if (m.type == "bold") {
    out += "<strong>";
  } else if (m.type == "italic") {
    out += "<em>";
  } else if (m.type == "strike") {
    out += "<s>";
  } else if (m.type == "code") {
    out += "<code>";
  } else if (m.type == "underline") {
    out += "<u>";
  }
}

void close_mark(const PmMark& m, std::string& out) {
  if (m.type == "link") out += "</a>";
  else if (m.type == "bold") out += "</strong>";
  else if (m.type == "italic") out += "</em>";
  else if (m.type == "strike") out += "</s>";
  else if (m.type == "code") out += "</code>";
  else if (m.type == "underline") out += "</u>";
}

bool is_inline(const PmNode& n) {
  if (n.is_text()) return true;
  const NodeSpec* spec = find_node_spec(n.type);
  return spec != nullptr && spec->inline_node;
}

// A run of inline nodes. Marks stay open across hard breaks.
void render_inline(const std::vector<PmNode>& nodes, size_t begin, size_t end, std::string& out) {
  std::vector<PmMark> open;
  for (size_t i = begin; i < end; ++i) {
    const PmNode& n = nodes[i];
    if (!n.is_text()) {
      if (n.type == "hardBreak") out += "<br>";
      continue;
    }
    std::vector<PmMark> want = rendered_marks(n);
    size_t keep = 0;
    while (keep < open.size() && keep < want.size() && open[keep] == want[keep]) ++keep;
    while (open.size() > keep) {
      close_mark(open.back(), out);
      open.pop_back();
    }
    for (size_t k = keep; k < want.size(); ++k) {
      open_mark(want[k], out);
      open.push_back(want[k]);
    }
    escape_html(n.text, out);
  }
  while (!open.empty()) {
    close_mark(open.back(), out);
    open.pop_back();
  }
}

void render_block(const PmNode& n, std::string& out);

// Block content; runs of inline nodes where blocks belong are rendered as paragraphs.
void render_blocks(const std::vector<PmNode>& nodes, std::string& out) {
  for (size_t i = 0; i < nodes.size();) {
    if (is_inline(nodes[i])) {
      size_t j = i;
      while (j < nodes.size() && is_inline(nodes[j])) ++j;
      out += "<p>";
      render_inline(nodes, i, j, out);
      out += "</p>";
      i = j;
    } else {
      render_block(nodes[i], out);
      ++i;
    }
  }
}

// A node name fit for an HTML comment: letters, digits and '_' only.
std::string comment_safe(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out;
}

// Children of a node that should hold inline content (blocks there are rendered as blocks).
void render_inline_content(const PmNode& n, std::string& out) {
  for (size_t i = 0; i < n.content.size();) {
    if (is_inline(n.content[i])) {
      size_t j = i;
      while (j < n.content.size() && is_inline(n.content[j])) ++j;
      render_inline(n.content, i, j, out);
      i = j;
    } else if (find_node_spec(n.content[i].type) == nullptr) {
      // An unknown node inside inline content (a mention, say): its children, inline.
      out += "<!-- unknown node: " + comment_safe(n.content[i].type) + " -->";
      render_inline_content(n.content[i], out);
      ++i;
    } else {
      render_block(n.content[i], out);
      ++i;
    }
  }
}

void collect_text(const PmNode& n, std::string& out) {
  if (n.is_text()) out += n.text;
  else if (n.type == "hardBreak") out += '\n';
  for (const PmNode& c : n.content) collect_text(c, out);
}

void render_block(const PmNode& n, std::string& out) {
  const std::string& t = n.type;
  if (t == "paragraph") {
    out += "<p>";
    render_inline_content(n, out);
    out += "</p>";
  } else if (t == "heading") {
    long long level = n.attr("level") ? any_to_integer(*n.attr("level")).value_or(1) : 1;
    if (level < 1) level = 1;
    if (level > 6) level = 6;
    std::string tag = "h" + std::to_string(level);
    out += "<" + tag + ">";
    render_inline_content(n, out);
    out += "</" + tag + ">";
  } else if (t == "blockquote") {
    out += "<blockquote>";
    render_blocks(n.content, out);
    out += "</blockquote>";
  } else if (t == "bulletList") {
    out += "<ul>";
    render_blocks(n.content, out);
    out += "</ul>";
  } else if (t == "orderedList") {
    out += "<ol";
    long long start = n.attr("start") ? any_to_integer(*n.attr("start")).value_or(1) : 1;
    if (start != 1) out += " start=\"" + std::to_string(start) + "\"";
    const crdt::Any* type = n.attr("type");
    if (type != nullptr && type->kind == crdt::Any::Kind::String &&
        (type->str == "1" || type->str == "a" || type->str == "A" || type->str == "i" ||
         type->str == "I")) {
      out += " type=\"" + type->str + "\"";
    }
    out += ">";
    render_blocks(n.content, out);
    out += "</ol>";
  } else if (t == "listItem") {
    out += "<li>";
    render_blocks(n.content, out);
    out += "</li>";
  } else if (t == "codeBlock") {
    out += "<pre><code";
    const crdt::Any* lang = n.attr("language");
    std::optional<std::string> language = lang ? any_to_string(*lang) : std::nullopt;
    if (language && !language->empty()) {
      out += " class=\"language-";
      escape_html(*language, out);
      out += '"';
    }
    out += '>';
    std::string text;
    for (const PmNode& c : n.content) collect_text(c, text);
    escape_html(text, out);
    out += "</code></pre>";
  } else if (t == "horizontalRule") {
    out += "<hr>";
  } else if (t == "doc") {
    render_blocks(n.content, out);
  } else {
    out += "<!-- unknown node: " + comment_safe(t) + " -->";
    render_blocks(n.content, out);
  }
}

}  // namespace

std::string render_html(const PmNode& doc) {
  std::string out;
  render_blocks(doc.content, out);
  return out;
}

}  // namespace tandem::convert
