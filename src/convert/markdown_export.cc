// render_markdown (export.h): CommonMark (0.30, what libcmark parses) written so that the
// Markdown importer reads it back into the same tree for the editor's subset.
//   blocks: ATX headings, fenced code blocks (``` + language, longer fences when the code holds
//   backticks), "- " / "N. " lists (a list right after a list of the same kind switches to "*"
//   or "N)" so that the two stay two lists), "> " quotes, "---" rules ("___" first in an item,
//   where "- ---" would be a rule), blank lines between blocks.
//   marks: bold **, italic *, code `...`, link [text](dest "title"); strike and underline have
//   no CommonMark syntax and are written as the inline HTML <s>…</s> and <u>…</u> (read back by
//   the importer); bold or italic whose delimiters would not be left/right-flanking (content
//   starting or ending with punctuation next to a letter) is written as <strong>/<em>.
//   text: ASCII punctuation that could start a construct is backslash-escaped everywhere
//   (\ ` * _ [ ] < > &), line starts are made inert (# - + = and "1." / "1)"), and spaces at
//   the start or end of a line are written as &#32; so that they survive.
// Empty paragraphs cannot be written in Markdown and are left out.
#include <algorithm>
#include <string>
#include <vector>

#include "convert/export.h"

namespace tandem::convert {

namespace {

bool is_inline(const PmNode& n) {
  if (n.is_text()) return true;
  const NodeSpec* spec = find_node_spec(n.type);
  return spec != nullptr && spec->inline_node;
}

bool is_ascii_punct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Flanking class of a neighbouring character: 0 whitespace (or none), 1 punctuation, 2 other.
int char_class(int c) {
  if (c < 0 || is_space(static_cast<char>(c))) return 0;
  if (c < 0x80 && is_ascii_punct(static_cast<char>(c))) return 1;
  return 2;
}

std::string mark_attr(const PmMark& m, std::string_view key) {
  for (const auto& kv : m.attrs) {
    if (kv.first == key) return any_to_string(kv.second).value_or("");
  }
  return {};
}

// One piece of inline content: text with its marks (code apart), or a hard break.
struct Segment {
  bool is_break = false;
  std::string text;
  std::vector<PmMark> marks;  // link, bold, italic, strike, underline (rank order)
  bool code = false;
};

std::vector<Segment> segments_of(const std::vector<PmNode>& nodes, size_t begin, size_t end);

void append_segments(const PmNode& n, std::vector<Segment>& out) {
  if (n.type == "hardBreak") {
    out.push_back(Segment{true, {}, {}, false});
    return;
  }
  if (!n.is_text()) {
    for (const PmNode& c : n.content) append_segments(c, out);  // unknown inline nodes
    return;
  }
  Segment s;
  for (const PmMark& m : n.marks) {
    if (find_mark_spec(m.type) == nullptr) continue;
    if (m.type == "code") {
      s.code = true;
    } else if (m.type != "link" || is_safe_href(mark_attr(m, "href"))) {
      s.marks.push_back(m);
    }
  }
  // A newline inside text is shown as a line break.
  size_t start = 0;
  while (true) {
    size_t nl = s.code ? std::string::npos : n.text.find('\n', start);
    Segment part = s;
    part.text = n.text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!part.text.empty()) out.push_back(std::move(part));
    if (nl == std::string::npos) break;
    out.push_back(Segment{true, {}, {}, false});
    start = nl + 1;
  }
}

bool contains(const std::vector<PmMark>& marks, const PmMark& m) {
  return std::find(marks.begin(), marks.end(), m) != marks.end();
}

std::vector<PmMark> common_marks(const std::vector<PmMark>& a, const std::vector<PmMark>& b) {
  std::vector<PmMark> out;
  for (const PmMark& m : a) {
    if (std::find(b.begin(), b.end(), m) != b.end()) out.push_back(m);
  }
  return out;
}

// Moves whitespace at the edges of marked text out of the marks it would otherwise sit
// inside, so that delimiters never touch whitespace ("** a**" is not bold in CommonMark).
std::vector<Segment> split_edge_whitespace(std::vector<Segment> in) {
  std::vector<Segment> out;
  for (size_t i = 0; i < in.size(); ++i) {
    Segment& s = in[i];
    if (s.is_break || s.code || s.marks.empty()) {
      out.push_back(std::move(s));
      continue;
    }
    static const std::vector<PmMark> kNone;
    const std::vector<PmMark>& prev = i > 0 && !in[i - 1].is_break ? in[i - 1].marks : kNone;
    const std::vector<PmMark>& next =
        i + 1 < in.size() && !in[i + 1].is_break ? in[i + 1].marks : kNone;
    size_t b = 0;
    while (b < s.text.size() && is_space(s.text[b])) ++b;
    size_t e = s.text.size();
    while (e > b && is_space(s.text[e - 1])) --e;
    if (b > 0) out.push_back(Segment{false, s.text.substr(0, b), common_marks(s.marks, prev), false});
    if (e > b) out.push_back(Segment{false, s.text.substr(b, e - b), s.marks, false});
    if (e < s.text.size()) {
      out.push_back(Segment{false, s.text.substr(e), common_marks(s.marks, next), false});
    }
  }
  return out;
}

std::vector<Segment> segments_of(const std::vector<PmNode>& nodes, size_t begin, size_t end) {
  std::vector<Segment> out;
  for (size_t i = begin; i < end; ++i) append_segments(nodes[i], out);
  return split_edge_whitespace(std::move(out));
}

class InlineWriter {
 public:
  explicit InlineWriter(bool heading) : heading_(heading) {}

  std::string write(const std::vector<Segment>& segs) {
    segs_ = &segs;
    for (size_t i = 0; i < segs.size(); ++i) {
      const Segment& s = segs[i];
      if (s.is_break) {
        end_line();
        out_ += heading_ ? "<br>" : "\\\n";
        line_start_ = !heading_;
        continue;
      }
      // Marks still wanted stay open (as far down the stack as all are wanted); the others
      // close and the new ones open inside.
      size_t keep = 0;
      while (keep < open_.size() && contains(s.marks, open_[keep].mark)) ++keep;
      close_to(keep, i);
      for (const PmMark& m : s.marks) {
        bool is_open = false;
        for (const Open& o : open_) is_open = is_open || o.mark == m;
        if (!is_open) open_mark(m, i);
      }
      if (s.code) {
        code_span(s.text);
      } else {
        text(s.text);
      }
    }
    close_to(0, segs.size());
    end_line();
    return std::move(out_);
  }

 private:
  struct Open {
    PmMark mark;
    bool html;  // written as <strong>/<em> rather than ** / *
  };

  // The first character of segment `i` as written (escaped text starts with '\').
  int first_char(size_t i) const {
    if (i >= segs_->size() || (*segs_)[i].is_break) return -1;
    const Segment& s = (*segs_)[i];
    if (s.code) return '`';
    return static_cast<unsigned char>(s.text[0]);
  }
  int last_char_of_output() const {
    return out_.empty() ? -1 : static_cast<unsigned char>(out_.back());
  }

  // Index of the segment where mark `m`, opened at segment `i`, is closed.
  size_t span_end(const PmMark& m, size_t i) const {
    size_t j = i;
    while (j < segs_->size()) {
      const Segment& s = (*segs_)[j];
      if (!s.is_break && std::find(s.marks.begin(), s.marks.end(), m) == s.marks.end()) break;
      ++j;
    }
    return j;
  }
  int last_char_of_segment(size_t j) const {
    const Segment& s = (*segs_)[j];
    if (s.is_break) return -1;
    if (s.code) return '`';
    return static_cast<unsigned char>(s.text.back());
  }

  void open_mark(const PmMark& m, size_t i) {
    bool html = false;
    if (m.type == "bold" || m.type == "italic") {
      // Left-flanking at the start, right-flanking at the end (CommonMark 6.2), with
      // whitespace already moved outside.
      int before = char_class(last_char_of_output());
      int first = char_class(first_char(i));
      size_t end = span_end(m, i);
      int last = end > i ? char_class(last_char_of_segment(end - 1)) : 0;
      int after = char_class(first_char(end));
      bool opens = first != 0 && !(first == 1 && before == 2);
      bool closes = last != 0 && !(last == 1 && after == 2);
      // Right after another delimiter run the two would merge ("*a****b"): use the tag.
      html = !opens || !closes || last_char_of_output() == '*';
    }
    if (m.type == "link") {
      out_ += '[';
    } else if (m.type == "bold") {
      out_ += html ? "<strong>" : "**";
    } else if (m.type == "italic") {
      out_ += html ? "<em>" : "*";
    } else if (m.type == "strike") {
      out_ += "<s>";
    } else if (m.type == "underline") {
      out_ += "<u>";
    }
    line_start_ = false;
    open_.push_back(Open{m, html});
  }

  void close_to(size_t keep, size_t /*next*/) {
    while (open_.size() > keep) {
      const Open& o = open_.back();
      const std::string& t = o.mark.type;
      if (t == "link") {
        out_ += "](";
        link_destination(mark_attr(o.mark, "href"));
        std::string title = mark_attr(o.mark, "title");
        if (!title.empty()) {
          out_ += " \"";
          for (char c : title) {
            if (c == '"' || c == '\\' || c == '&') out_ += '\\';
            out_ += c;
          }
          out_ += '"';
        }
        out_ += ')';
      } else if (t == "bold") {
        out_ += o.html ? "</strong>" : "**";
      } else if (t == "italic") {
        out_ += o.html ? "</em>" : "*";
      } else if (t == "strike") {
        out_ += "</s>";
      } else if (t == "underline") {
        out_ += "</u>";
      }
      open_.pop_back();
    }
  }

  void link_destination(const std::string& href) {
    bool plain = !href.empty();
    for (char c : href) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == '(' || c == ')') {
        plain = false;
      }
    }
    if (!plain) out_ += '<';
    for (char c : href) {
      if (c == '\n' || c == '\r') continue;
      if (c == '\\' || c == '&' || (!plain && (c == '<' || c == '>'))) out_ += '\\';
      out_ += c;
    }
    if (!plain) out_ += '>';
  }

  void code_span(const std::string& code) {
    size_t longest = 0, run = 0;
    for (char c : code) {
      run = c == '`' ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    std::string fence(longest + 1, '`');
    bool all_space = code.find_first_not_of(' ') == std::string::npos;
    bool pad = code.front() == '`' || code.back() == '`' ||
               (!all_space && code.front() == ' ' && code.back() == ' ');
    out_ += fence;
    if (pad) out_ += ' ';
    out_ += code;
    if (pad) out_ += ' ';
    out_ += fence;
    line_start_ = false;
  }

  void text(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (line_start_) {
        line_start_ = false;
        if (c == ' ') {
          out_ += "&#32;";
          continue;
        }
        if (c == '\t') {
          out_ += "&#9;";
          continue;
        }
        if (c == '#' || c == '-' || c == '+' || c == '=') {
          out_ += '\\';
          out_ += c;
          continue;
        }
        if (c >= '0' && c <= '9') {
          // "1." or "1)" would start an ordered list: escape the delimiter.
          size_t j = i;
          while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
          out_.append(s, i, j - i);
          if (j < s.size() && (s[j] == '.' || s[j] == ')')) {
            out_ += '\\';
            out_ += s[j];
            ++j;
          }
          i = j - 1;
          continue;
        }
      }
      if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '<' ||
          c == '>' || c == '&' || (heading_ && c == '#')) {
        out_ += '\\';
      }
      out_ += c;
    }
  }

  // Before a line ends: a trailing space would be dropped, write it as a character reference.
  void end_line() {
    if (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t')) {
      char c = out_.back();
      out_.pop_back();
      out_ += c == ' ' ? "&#32;" : "&#9;";
    }
  }

  bool heading_;
  const std::vector<Segment>* segs_ = nullptr;
  std::vector<Open> open_;
  std::string out_;
  bool line_start_ = true;
};

std::string write_inline(const std::vector<PmNode>& nodes, size_t begin, size_t end, bool heading) {
  return InlineWriter(heading).write(segments_of(nodes, begin, end));
}

// Prefixes the first line with `first` and the other non-empty lines with `rest`.
std::string prefix_lines(const std::string& s, const std::string& first, const std::string& rest) {
  std::string out;
  size_t start = 0;
  bool is_first = true;
  while (true) {
    size_t nl = s.find('\n', start);
    std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (is_first) {
      out += first;
      if (line.empty()) {
        while (!out.empty() && out.back() == ' ') out.pop_back();
      }
    } else if (!line.empty()) {
      out += rest;
    }
    out += line;
    is_first = false;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

class BlockWriter {
 public:
  std::string blocks(const std::vector<PmNode>& nodes, bool in_item) {
    std::string out;
    std::string prev_list;  // type of the previous block if it was a list
    bool prev_alt = false;
    bool first = true;
    for (size_t i = 0; i < nodes.size();) {
      std::string block;
      const PmNode* node = nullptr;
      if (is_inline(nodes[i])) {
        size_t j = i;
        while (j < nodes.size() && is_inline(nodes[j])) ++j;
        block = write_inline(nodes, i, j, false);
        i = j;
      } else {
        node = &nodes[i++];
        bool is_list = node->type == "bulletList" || node->type == "orderedList";
        bool alt = is_list && prev_list == node->type && !prev_alt;
        block = this->block(*node, alt, in_item && first);
        prev_list = is_list ? node->type : std::string();
        prev_alt = alt;
      }
      if (block.empty()) continue;
      if (!out.empty()) out += in_item && node != nullptr && tight_after(*node) ? "\n" : "\n\n";
      out += block;
      first = false;
    }
    return out;
  }

 private:
  // Inside a list item, a nested list may follow the paragraph line directly.
  static bool tight_after(const PmNode& next) {
    if (next.type == "bulletList") return true;
    if (next.type != "orderedList") return false;
    const crdt::Any* start = next.attr("start");
    return start == nullptr || any_to_integer(*start).value_or(1) == 1;
  }

  std::string block(const PmNode& n, bool alt, bool first_in_item) {
    const std::string& t = n.type;
    if (t == "paragraph") return write_inline(n.content, 0, n.content.size(), false);
    if (t == "heading") {
      long long level = n.attr("level") ? any_to_integer(*n.attr("level")).value_or(1) : 1;
      level = std::clamp(level, 1LL, 6LL);
      std::string body = write_inline(n.content, 0, n.content.size(), true);
      return std::string(static_cast<size_t>(level), '#') + (body.empty() ? "" : " " + body);
    }
    if (t == "codeBlock") return code_block(n);
    if (t == "horizontalRule") return first_in_item ? "___" : "---";
    if (t == "blockquote") {
      std::string body = blocks(n.content, false);
      std::string out = prefix_lines(body, "> ", "> ");
      // Blank lines inside the quote are quoted too.
      std::string fixed;
      for (size_t i = 0; i < out.size(); ++i) {
        fixed += out[i];
        if (out[i] == '\n' && (i + 1 == out.size() || out[i + 1] == '\n')) fixed += '>';
      }
      return fixed.empty() ? ">" : fixed;
    }
    if (t == "bulletList" || t == "orderedList") return list(n, alt);
    // doc, stray list items, unknown nodes: their content.
    return blocks(n.content, false);
  }

  std::string code_block(const PmNode& n) {
    std::string text;
    for (const PmNode& c : n.content) {
      if (c.is_text()) text += c.text;
      else if (c.type == "hardBreak") text += '\n';
    }
    size_t longest = 0, run = 0;
    for (char c : text) {
      run = c == '`' ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    std::string fence(std::max<size_t>(3, longest + 1), '`');
    std::string info;
    const crdt::Any* lang = n.attr("language");
    if (lang != nullptr) {
      for (char c : any_to_string(*lang).value_or("")) {
        if (!is_space(c) && c != '`' && c != '\r') info += c;
      }
    }
    std::string out = fence + info + "\n";
    if (!text.empty()) out += text + "\n";
    out += fence;
    return out;
  }

  std::string list(const PmNode& n, bool alt) {
    bool ordered = n.type == "orderedList";
    long long number = 1;
    if (ordered && n.attr("start") != nullptr) number = any_to_integer(*n.attr("start")).value_or(1);
    number = std::clamp(number, 0LL, 999999999LL);
    std::string out;
    for (const PmNode& item : n.content) {
      std::string marker;
      if (ordered) {
        marker = std::to_string(number) + (alt ? ")" : ".");
        number = std::min(number + 1, 999999999LL);
      } else {
        marker = alt ? "*" : "-";
      }
      std::string body = item.type == "listItem" ? blocks(item.content, true)
                                                 : blocks(std::vector<PmNode>{item}, true);
      if (!out.empty()) out += '\n';
      out += prefix_lines(body, marker + " ", std::string(marker.size() + 1, ' '));
    }
    return out;
  }
};

}  // namespace

std::string render_markdown(const PmNode& doc) {
  std::string out = BlockWriter().blocks(doc.content, false);
  if (!out.empty()) out += '\n';
  return out;
}

}  // namespace tandem::convert
