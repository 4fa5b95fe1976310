// The decoders of https://encoding.spec.whatwg.org/ (labels, index tables, one class per
// decoder algorithm) behind TextDecoder.
#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "api/encoding.h"

namespace wisp::api {

namespace encoding {

// ---- Names and labels ----

namespace {

struct EncodingEntry {
  Encoding encoding;
  std::string_view name;    // lower-cased, as TextDecoder.encoding reports it
  std::string_view labels;  // space-separated
};

// https://encoding.spec.whatwg.org/#names-and-labels (encodings.json)
constexpr EncodingEntry kEncodings[] = {
    {Encoding::Utf8, "utf-8", "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"},
    {Encoding::Ibm866, "ibm866", "866 cp866 csibm866 ibm866"},
    {Encoding::Iso8859_2, "iso-8859-2",
     "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"},
    {Encoding::Iso8859_3, "iso-8859-3",
     "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3"},
    {Encoding::Iso8859_4, "iso-8859-4",
     "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4"},
    {Encoding::Iso8859_5, "iso-8859-5",
     "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988"},
    {Encoding::Iso8859_6, "iso-8859-6",
     "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
     "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987"},
    {Encoding::Iso8859_7, "iso-8859-7",
     "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
     "iso_8859-7 iso_8859-7:1987 sun_eu_greek"},
    {Encoding::Iso8859_8, "iso-8859-8",
     "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 "
     "iso_8859-8 iso_8859-8:1988 visual"},
    {Encoding::Iso8859_8I, "iso-8859-8-i", "csiso88598i iso-8859-8-i logical"},
    {Encoding::Iso8859_10, "iso-8859-10", "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6"},
    {Encoding::Iso8859_13, "iso-8859-13", "iso-8859-13 iso8859-13 iso885913"},
    {Encoding::Iso8859_14, "iso-8859-14", "iso-8859-14 iso8859-14 iso885914"},
    {Encoding::Iso8859_15, "iso-8859-15", "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"},
    {Encoding::Iso8859_16, "iso-8859-16", "iso-8859-16"},
    {Encoding::Koi8R, "koi8-r", "cskoi8r koi koi8 koi8-r koi8_r"},
    {Encoding::Koi8U, "koi8-u", "koi8-ru koi8-u"},
    {Encoding::Macintosh, "macintosh", "csmacintosh mac macintosh x-mac-roman"},
    {Encoding::Windows874, "windows-874", "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874"},
    {Encoding::Windows1250, "windows-1250", "cp1250 windows-1250 x-cp1250"},
    {Encoding::Windows1251, "windows-1251", "cp1251 windows-1251 x-cp1251"},
    {Encoding::Windows1252, "windows-1252",
     "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 "
     "iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252"},
    {Encoding::Windows1253, "windows-1253", "cp1253 windows-1253 x-cp1253"},
    {Encoding::Windows1254, "windows-1254",
     "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 "
     "windows-1254 x-cp1254"},
    {Encoding::Windows1255, "windows-1255", "cp1255 windows-1255 x-cp1255"},
    {Encoding::Windows1256, "windows-1256", "cp1256 windows-1256 x-cp1256"},
    {Encoding::Windows1257, "windows-1257", "cp1257 windows-1257 x-cp1257"},
    {Encoding::Windows1258, "windows-1258", "cp1258 windows-1258 x-cp1258"},
    {Encoding::XMacCyrillic, "x-mac-cyrillic", "x-mac-cyrillic x-mac-ukrainian"},
    {Encoding::Gbk, "gbk", "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk"},
    {Encoding::Gb18030, "gb18030", "gb18030"},
    {Encoding::Big5, "big5", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"},
    {Encoding::EucJp, "euc-jp", "cseucpkdfmtjapanese euc-jp x-euc-jp"},
    {Encoding::Iso2022Jp, "iso-2022-jp", "csiso2022jp iso-2022-jp"},
    {Encoding::ShiftJis, "shift_jis", "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis"},
    {Encoding::EucKr, "euc-kr",
     "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 "
     "windows-949"},
    {Encoding::Replacement, "replacement",
     "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement"},
    {Encoding::Utf16Be, "utf-16be", "unicodefffe utf-16be"},
    {Encoding::Utf16Le, "utf-16le", "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"},
    {Encoding::XUserDefined, "x-user-defined", "x-user-defined"},
};

// nameOf() indexes the table by the enum.
constexpr bool inEnumOrder() {
  for (size_t i = 0; i < std::size(kEncodings); i++) {
    if (kEncodings[i].encoding != static_cast<Encoding>(i)) return false;
  }
  return std::size(kEncodings) == static_cast<size_t>(Encoding::XUserDefined) + 1;
}
static_assert(inEnumOrder());

bool isAsciiWhitespace(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

}  // namespace

std::optional<Encoding> forLabel(std::string_view label) {
  while (!label.empty() && isAsciiWhitespace(label.front())) label.remove_prefix(1);
  while (!label.empty() && isAsciiWhitespace(label.back())) label.remove_suffix(1);
  if (label.empty() || label.size() > 32) return std::nullopt;  // no label is longer
  char lower[32];
  for (size_t i = 0; i < label.size(); i++) {
    char c = label[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  std::string_view wanted(lower, label.size());
  for (const auto& entry : kEncodings) {
    std::string_view labels = entry.labels;
    while (!labels.empty()) {
      size_t end = std::min(labels.find(' '), labels.size());
      if (labels.substr(0, end) == wanted) return entry.encoding;
      labels.remove_prefix(std::min(end + 1, labels.size()));
    }
  }
  return std::nullopt;
}

std::string_view nameOf(Encoding e) { return kEncodings[static_cast<size_t>(e)].name; }

// ---- Index tables (https://encoding.spec.whatwg.org/#indexes) ----
//
// Read from ICU once per process, pointer by pointer: the bytes a pointer stands for are decoded
// by ICU's converter for that encoding. Where ICU's tables differ from the spec's index, the
// corrections below say so; they were found by comparing every pointer with the spec's index
// files. Immutable after construction, so shared by all isolates and threads.

namespace {

constexpr char16_t kReplacement = 0xFFFD;

bool isPrivateUse(char32_t c) { return c >= 0xE000 && c <= 0xF8FF; }

class IcuConverter {
 public:
  explicit IcuConverter(const char* name) {
    UErrorCode err = U_ZERO_ERROR;
    cnv_ = ucnv_open(name, &err);
    if (U_FAILURE(err)) {
      if (cnv_) ucnv_close(cnv_);
      cnv_ = nullptr;
      return;
    }
    ucnv_setToUCallBack(cnv_, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  }
  ~IcuConverter() {
    if (cnv_) ucnv_close(cnv_);
  }
  IcuConverter(const IcuConverter&) = delete;
  IcuConverter& operator=(const IcuConverter&) = delete;
  explicit operator bool() const { return cnv_ != nullptr; }

  // The one code point `bytes` decode to, or 0 when they are invalid, unmapped, only partly
  // used, or decode to more than one code point.
  char32_t decodeOne(std::span<const uint8_t> bytes) {
    ucnv_resetToUnicode(cnv_);
    UErrorCode err = U_ZERO_ERROR;
    auto* src = reinterpret_cast<const char*>(bytes.data());
    auto* end = src + bytes.size();
    UChar32 c = ucnv_getNextUChar(cnv_, &src, end, &err);
    if (U_FAILURE(err) || src != end || c < 0) return 0;
    ucnv_getNextUChar(cnv_, &src, end, &err);  // a second code point from the same bytes?
    if (err != U_INDEX_OUTOFBOUNDS_ERROR) return 0;
    return static_cast<char32_t>(c);
  }

 private:
  UConverter* cnv_ = nullptr;
};

// A pointer → code point table; 0 where the index has no code point. Empty if ICU lacks the
// converter it is read from.
using Index = std::vector<char32_t>;

struct Correction {
  uint32_t pointer;
  char32_t codePoint;  // 0: the spec's index has no entry here
  uint32_t count = 1;  // a run: consecutive pointers to consecutive code points
};

template <class BytesOf>
Index readIndex(const char* converter, size_t size, BytesOf bytesOf, bool dropPrivateUse,
                std::span<const Correction> corrections = {}) {
  IcuConverter cnv(converter);
  if (!cnv) return {};
  Index index(size, 0);
  for (size_t pointer = 0; pointer < size; pointer++) {
    auto bytes = bytesOf(pointer);
    char32_t c = cnv.decodeOne(bytes);
    if (dropPrivateUse && isPrivateUse(c)) c = 0;
    index[pointer] = c;
  }
  for (const auto& fix : corrections) {
    for (uint32_t i = 0; i < fix.count; i++) index[fix.pointer + i] = fix.codePoint ? fix.codePoint + i : 0;
  }
  return index;
}

// Index gb18030 from ICU's gb18030 (GB18030-2005 data in ICU 72), with the spec's changes:
// 0xA3A0 decodes to U+3000, and GB18030-2022's 18 two-byte mappings out of the Private Use Area.
constexpr Correction kGb18030Corrections[] = {
    {6555, 0x3000},   {7182, 0xFE10},   {7183, 0xFE12},   {7184, 0xFE11}, {7185, 0xFE13, 4},
    {7201, 0xFE17, 2}, {7208, 0xFE19},  {23775, 0x9FB4},  {23783, 0x9FB5}, {23788, 0x9FB6, 2},
    {23795, 0x9FB8},  {23812, 0x9FB9},  {23829, 0x9FBA},  {23845, 0x9FBB},
};

const Index& indexGb18030() {
  static const Index index = readIndex(
      "gb18030", 126 * 190,
      [](size_t p) {
        uint8_t trail = static_cast<uint8_t>(p % 190);
        return std::array<uint8_t, 2>{static_cast<uint8_t>(p / 190 + 0x81),
                                      static_cast<uint8_t>(trail + (trail < 0x3F ? 0x40 : 0x41))};
      },
      false, kGb18030Corrections);
  return index;
}

// Index Big5 from ICU's Big5-HKSCS (ibm-1375): the spec's index has no Private Use entries, and
// has these (HKSCS-2008 additions and duplicates) that ICU lacks.
constexpr Correction kBig5Corrections[] = {
      {1008, 0x9F97},  {1016, 0x9F96},  {1099, 0x31C0, 5}, {1105, 0x31C5},  {1108, 0x31C6, 2},
       {1112, 0x31C8},  {1114, 0x31C9, 4}, {1119, 0x31CD, 2}, {1170, 0x23DA, 2}, {1730, 0x9FA6},
       {1772, 0x9FA7},  {1779, 0x9FA8},  {1812, 0x9FA9},  {1814, 0x9FAA},  {1816, 0x9FAB},
       {1821, 0x9FAC},  {1844, 0x9FAD, 2}, {1847, 0x9FAF},  {1866, 0x9FB2},  {1892, 0x9FB3},
       {2082, 0x7BB8},  {2088, 0x7C06},  {2103, 0x7CCE},  {2114, 0x7DD2},  {2123, 0x7E1D},
       {2148, 0x8005},  {2151, 0x8028},  {2221, 0x83C1},  {2239, 0x84A8},  {2244, 0x840F},
       {2303, 0x89A6},  {2304, 0x89A9},  {2354, 0x8D77},  {2400, 0x90FD},  {2413, 0x92B9},
       {2477, 0x975C},  {2498, 0x97FF},  {2605, 0x9F16},  {2673, 0x8503},  {2746, 0x5159},
       {2747, 0x515B},  {2748, 0x515D, 2}, {2771, 0x936E},  {2780, 0x7479},  {2990, 0x6D67},
       {3087, 0x799B},  {3259, 0x9097},  {3301, 0x975D},  {3436, 0x701E},  {3451, 0x5B28},
       {4136, 0x7201},  {4138, 0x77D7},  {4141, 0x7E87},  {4182, 0x99D6},  {4206, 0x91D4},
       {4220, 0x60DE},  {4230, 0x6FB6},  {4241, 0x8F36},  {4258, 0x4FBB},  {4273, 0x71DF},
       {4279, 0x9104},  {4282, 0x9DF0},  {4294, 0x83CF},  {4329, 0x5C10},  {4330, 0x79E3},
       {4349, 0x5A67},  {4419, 0x8F0B},  {4422, 0x7B51},  {4494, 0x62D0},  {4624, 0x6062},
       {4694, 0x75F9},  {4708, 0x6C4A},  {4742, 0x9B2E},  {4748, 0x9F17},  {4815, 0x50ED},
       {4828, 0x5F0C},  {4902, 0x880F},  {4922, 0x62CE},  {4982, 0x7468},  {4992, 0x7162},
       {4997, 0x7250},  {5432, 0x2400, 32}, {5464, 0x2421}, {10942, 0x5EF4}, {10946, 0x65E0},
       {10948, 0x7676}, {10950, 0x96B6}, {10957, 0x3003}, {10958, 0x4EDD}, {11204, 0x31CF},
       {11210, 0x9FB0}, {11212, 0x9FB1}, {19028, 0x5029}, {19035, 0x507D}, {19088, 0x5305},
       {19096, 0x5344}, {19112, 0x537F}, {19162, 0x5605}, {19240, 0x5A77}, {19299, 0x5E75},
       {19305, 0x5ED0}, {19326, 0x5F58}, {19355, 0x60A4}, {19398, 0x6490}, {19439, 0x6674},
       {19454, 0x675E}, {19553, 0x6C9C}, {19554, 0x6E1D}, {19557, 0x6E2F}, {19611, 0x716E},
       {19643, 0x732A}, {19672, 0x745C}, {19697, 0x74E9}, {19748, 0x7809}
};

const Index& indexBig5() {
  static const Index index = readIndex(
      "Big5-HKSCS", 126 * 157,
      [](size_t p) {
        uint8_t trail = static_cast<uint8_t>(p % 157);
        return std::array<uint8_t, 2>{static_cast<uint8_t>(p / 157 + 0x81),
                                      static_cast<uint8_t>(trail + (trail < 0x3F ? 0x40 : 0x62))};
      },
      true, kBig5Corrections);
  return index;
}

// Index jis0208 from ICU's Shift_JIS (ibm-943), whose user-defined area (pointers 8836..10715,
// Private Use) the decoders handle themselves.
const Index& indexJis0208() {
  static const Index index = readIndex(
      "Shift_JIS", 60 * 188,
      [](size_t p) {
        uint8_t lead = static_cast<uint8_t>(p / 188), trail = static_cast<uint8_t>(p % 188);
        return std::array<uint8_t, 2>{static_cast<uint8_t>(lead + (lead < 0x1F ? 0x81 : 0xC1)),
                                      static_cast<uint8_t>(trail + (trail < 0x3F ? 0x40 : 0x41))};
      },
      true);
  return index;
}

// Index jis0212 from ICU's EUC-JP (its 0x8F code set), without IBM's additions in row 83.
constexpr Correction kJis0212Corrections[] = {{7708, 0, 20}, {7730, 0}};

const Index& indexJis0212() {
  static const Index index = readIndex(
      "EUC-JP", 94 * 94,
      [](size_t p) {
        return std::array<uint8_t, 3>{0x8F, static_cast<uint8_t>(p / 94 + 0xA1), static_cast<uint8_t>(p % 94 + 0xA1)};
      },
      true, kJis0212Corrections);
  return index;
}

// Index EUC-KR from ICU's windows-949 (Unified Hangul Code), which adds Private Use entries.
const Index& indexEucKr() {
  static const Index index = readIndex(
      "windows-949", 126 * 190,
      [](size_t p) {
        return std::array<uint8_t, 2>{static_cast<uint8_t>(p / 190 + 0x81), static_cast<uint8_t>(p % 190 + 0x41)};
      },
      true);
  return index;
}

// https://encoding.spec.whatwg.org/#index-gb18030-ranges: [pointer, code point] pairs.
constexpr std::pair<uint32_t, char32_t> kGb18030Ranges[] = {
    {0, 0x80}, {36, 0xA5}, {38, 0xA9}, {45, 0xB2}, {50, 0xB8}, {81, 0xD8}, {89, 0xE2}, {95, 0xEB},
    {96, 0xEE}, {100, 0xF4}, {103, 0xF8}, {104, 0xFB}, {105, 0xFD}, {109, 0x102}, {126, 0x114},
    {133, 0x11C}, {148, 0x12C}, {172, 0x145}, {175, 0x149}, {179, 0x14E}, {208, 0x16C},
    {306, 0x1CF}, {307, 0x1D1}, {308, 0x1D3}, {309, 0x1D5}, {310, 0x1D7}, {311, 0x1D9},
    {312, 0x1DB}, {313, 0x1DD}, {341, 0x1FA}, {428, 0x252}, {443, 0x262}, {544, 0x2C8},
    {545, 0x2CC}, {558, 0x2DA}, {741, 0x3A2}, {742, 0x3AA}, {749, 0x3C2}, {750, 0x3CA},
    {805, 0x402}, {819, 0x450}, {820, 0x452}, {7922, 0x2011}, {7924, 0x2017}, {7925, 0x201A},
    {7927, 0x201E}, {7934, 0x2027}, {7943, 0x2031}, {7944, 0x2034}, {7945, 0x2036}, {7950, 0x203C},
    {8062, 0x20AD}, {8148, 0x2104}, {8149, 0x2106}, {8152, 0x210A}, {8164, 0x2117}, {8174, 0x2122},
    {8236, 0x216C}, {8240, 0x217A}, {8262, 0x2194}, {8264, 0x219A}, {8374, 0x2209}, {8380, 0x2210},
    {8381, 0x2212}, {8384, 0x2216}, {8388, 0x221B}, {8390, 0x2221}, {8392, 0x2224}, {8393, 0x2226},
    {8394, 0x222C}, {8396, 0x222F}, {8401, 0x2238}, {8406, 0x223E}, {8416, 0x2249}, {8419, 0x224D},
    {8424, 0x2253}, {8437, 0x2262}, {8439, 0x2268}, {8445, 0x2270}, {8482, 0x2296}, {8485, 0x229A},
    {8496, 0x22A6}, {8521, 0x22C0}, {8603, 0x2313}, {8936, 0x246A}, {8946, 0x249C}, {9046, 0x254C},
    {9050, 0x2574}, {9063, 0x2590}, {9066, 0x2596}, {9076, 0x25A2}, {9092, 0x25B4}, {9100, 0x25BE},
    {9108, 0x25C8}, {9111, 0x25CC}, {9113, 0x25D0}, {9131, 0x25E6}, {9162, 0x2607}, {9164, 0x260A},
    {9218, 0x2641}, {9219, 0x2643}, {11329, 0x2E82}, {11331, 0x2E85}, {11334, 0x2E89},
    {11336, 0x2E8D}, {11346, 0x2E98}, {11361, 0x2EA8}, {11363, 0x2EAB}, {11366, 0x2EAF},
    {11370, 0x2EB4}, {11372, 0x2EB8}, {11375, 0x2EBC}, {11389, 0x2ECB}, {11682, 0x2FFC},
    {11686, 0x3004}, {11687, 0x3018}, {11692, 0x301F}, {11694, 0x302A}, {11714, 0x303F},
    {11716, 0x3094}, {11723, 0x309F}, {11725, 0x30F7}, {11730, 0x30FF}, {11736, 0x312A},
    {11982, 0x322A}, {11989, 0x3232}, {12102, 0x32A4}, {12336, 0x3390}, {12348, 0x339F},
    {12350, 0x33A2}, {12384, 0x33C5}, {12393, 0x33CF}, {12395, 0x33D3}, {12397, 0x33D6},
    {12510, 0x3448}, {12553, 0x3474}, {12851, 0x359F}, {12962, 0x360F}, {12973, 0x361B},
    {13738, 0x3919}, {13823, 0x396F}, {13919, 0x39D1}, {13933, 0x39E0}, {14080, 0x3A74},
    {14298, 0x3B4F}, {14585, 0x3C6F}, {14698, 0x3CE1}, {15583, 0x4057}, {15847, 0x4160},
    {16318, 0x4338}, {16434, 0x43AD}, {16438, 0x43B2}, {16481, 0x43DE}, {16729, 0x44D7},
    {17102, 0x464D}, {17122, 0x4662}, {17315, 0x4724}, {17320, 0x472A}, {17402, 0x477D},
    {17418, 0x478E}, {17859, 0x4948}, {17909, 0x497B}, {17911, 0x497E}, {17915, 0x4984},
    {17916, 0x4987}, {17936, 0x499C}, {17939, 0x49A0}, {17961, 0x49B8}, {18664, 0x4C78},
    {18703, 0x4CA4}, {18814, 0x4D1A}, {18962, 0x4DAF}, {19043, 0x9FA6}, {33469, 0xE76C},
    {33470, 0xE7C8}, {33471, 0xE7E7}, {33484, 0xE815}, {33485, 0xE819}, {33490, 0xE81F},
    {33497, 0xE827}, {33501, 0xE82D}, {33505, 0xE833}, {33513, 0xE83C}, {33520, 0xE844},
    {33536, 0xE856}, {33550, 0xE865}, {37845, 0xF92D}, {37921, 0xF97A}, {37948, 0xF996},
    {38029, 0xF9E8}, {38038, 0xF9F2}, {38064, 0xFA10}, {38065, 0xFA12}, {38066, 0xFA15},
    {38069, 0xFA19}, {38075, 0xFA22}, {38076, 0xFA25}, {38078, 0xFA2A}, {39108, 0xFE32},
    {39109, 0xFE45}, {39113, 0xFE53}, {39114, 0xFE58}, {39115, 0xFE67}, {39116, 0xFE6C},
    {39265, 0xFF5F}, {39394, 0xFFE6}, {189000, 0x10000},
};

// https://encoding.spec.whatwg.org/#index-gb18030-ranges-code-point; 0 for null.
char32_t gb18030RangesCodePoint(uint32_t pointer) {
  if ((pointer > 39419 && pointer < 189000) || pointer > 1237575) return 0;
  if (pointer == 7457) return 0xE7C7;
  auto it = std::upper_bound(std::begin(kGb18030Ranges), std::end(kGb18030Ranges), pointer,
                             [](uint32_t p, const auto& range) { return p < range.first; });
  --it;  // the last range starting at or before `pointer` (the first starts at 0)
  return it->second + (pointer - it->first);
}

// Single-byte indexes: the code points of bytes 0x80..0xFF (0 for none).
using SingleByteIndex = std::array<char16_t, 128>;

// ICU 72 has no ISO-8859-16; 0x80..0x9F are the C1 controls.
constexpr char16_t kIso8859_16High[96] = {
    0x00A0, 0x0104, 0x0105, 0x0141, 0x20AC, 0x201E, 0x0160, 0x00A7, 0x0161, 0x00A9, 0x0218, 0x00AB,
    0x0179, 0x00AD, 0x017A, 0x017B, 0x00B0, 0x00B1, 0x010C, 0x0142, 0x017D, 0x201D, 0x00B6, 0x00B7,
    0x017E, 0x010D, 0x0219, 0x00BB, 0x0152, 0x0153, 0x0178, 0x017C, 0x00C0, 0x00C1, 0x00C2, 0x0102,
    0x00C4, 0x0106, 0x00C6, 0x00C7, 0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
    0x0110, 0x0143, 0x00D2, 0x00D3, 0x00D4, 0x0150, 0x00D6, 0x015A, 0x0170, 0x00D9, 0x00DA, 0x00DB,
    0x00DC, 0x0118, 0x021A, 0x00DF, 0x00E0, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x0107, 0x00E6, 0x00E7,
    0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF, 0x0111, 0x0144, 0x00F2, 0x00F3,
    0x00F4, 0x0151, 0x00F6, 0x015B, 0x0171, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x0119, 0x021B, 0x00FF,
};

struct SingleByteSource {
  Encoding encoding;
  const char* icuName;
  std::span<const Correction> corrections = {};  // pointer = byte - 0x80
};

constexpr Correction kKoi8UCorrections[] = {{0x2E, 0x045E}, {0x3E, 0x040E}};  // the spec's is KOI8-RU
constexpr Correction kWindows874Corrections[] = {{0x5B, 0, 4}, {0x7C, 0, 4}};  // ICU: Private Use
constexpr Correction kWindows1253Corrections[] = {{0x2A, 0}};
constexpr Correction kWindows1255Corrections[] = {{0x4A, 0x05BA}};

// The ICU converter behind each single-byte encoding, and where the spec's index differs.
const SingleByteSource kSingleByteSources[] = {
    {Encoding::Ibm866, "ibm-866"},
    {Encoding::Iso8859_2, "ISO-8859-2"},
    {Encoding::Iso8859_3, "ISO-8859-3"},
    {Encoding::Iso8859_4, "ISO-8859-4"},
    {Encoding::Iso8859_5, "ISO-8859-5"},
    {Encoding::Iso8859_6, "ISO-8859-6"},
    {Encoding::Iso8859_7, "ISO-8859-7"},
    {Encoding::Iso8859_8, "ISO-8859-8"},
    {Encoding::Iso8859_8I, "ISO-8859-8"},
    {Encoding::Iso8859_10, "ISO-8859-10"},
    {Encoding::Iso8859_13, "ISO-8859-13"},
    {Encoding::Iso8859_14, "ISO-8859-14"},
    {Encoding::Iso8859_15, "ISO-8859-15"},
    {Encoding::Koi8R, "KOI8-R"},
    {Encoding::Koi8U, "KOI8-U", kKoi8UCorrections},
    {Encoding::Macintosh, "macintosh"},
    {Encoding::Windows874, "windows-874", kWindows874Corrections},
    {Encoding::Windows1250, "windows-1250"},
    {Encoding::Windows1251, "windows-1251"},
    {Encoding::Windows1252, "windows-1252"},
    {Encoding::Windows1253, "windows-1253", kWindows1253Corrections},
    {Encoding::Windows1254, "windows-1254"},
    {Encoding::Windows1255, "windows-1255", kWindows1255Corrections},
    {Encoding::Windows1256, "windows-1256"},
    {Encoding::Windows1257, "windows-1257"},
    {Encoding::Windows1258, "windows-1258"},
    {Encoding::XMacCyrillic, "x-mac-cyrillic"},
};

// Null when ICU lacks the converter.
const SingleByteIndex* singleByteIndex(Encoding e) {
  struct Table {
    bool ok = false;
    SingleByteIndex index{};
  };
  static const auto tables = [] {
    std::array<Table, static_cast<size_t>(Encoding::XUserDefined) + 1> out{};
    auto& iso16 = out[static_cast<size_t>(Encoding::Iso8859_16)];
    iso16.ok = true;
    for (char16_t i = 0; i < 32; i++) iso16.index[i] = static_cast<char16_t>(0x80 + i);
    std::copy(std::begin(kIso8859_16High), std::end(kIso8859_16High), iso16.index.begin() + 32);
    for (const auto& source : kSingleByteSources) {
      Index index = readIndex(
          source.icuName, 128, [](size_t p) { return std::array<uint8_t, 1>{static_cast<uint8_t>(0x80 + p)}; },
          false, source.corrections);
      if (index.empty()) continue;
      auto& table = out[static_cast<size_t>(source.encoding)];
      table.ok = true;
      for (size_t i = 0; i < 128; i++) table.index[i] = static_cast<char16_t>(index[i] <= 0xFFFF ? index[i] : 0);
    }
    return out;
  }();
  const Table& t = tables[static_cast<size_t>(e)];
  return t.ok ? &t.index : nullptr;
}

[[noreturn]] void unavailable(Encoding e) {
  throw js::Error("The '" + std::string(nameOf(e)) +
                  "' encoding is not available: this build's ICU lacks the converter it needs.");
}

const Index& requireIndex(const Index& index, Encoding e) {
  if (index.empty()) unavailable(e);
  return index;
}

// ---- UTF-8 validation ----

// The length of the UTF-8 sequence at bytes[i] (https://encoding.spec.whatwg.org/#utf-8-decoder):
// positive when it is complete and valid, 0 when it is invalid, and -k when the bytes end after
// a valid start of k bytes.
int utf8SequenceAt(std::span<const uint8_t> bytes, size_t i) {
  uint8_t b = bytes[i];
  if (b < 0x80) return 1;
  int needed;
  uint8_t lower = 0x80, upper = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    needed = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    needed = 2;
    if (b == 0xE0) lower = 0xA0;
    if (b == 0xED) upper = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    needed = 3;
    if (b == 0xF0) lower = 0x90;
    if (b == 0xF4) upper = 0x8F;
  } else {
    return 0;
  }
  for (int k = 1; k <= needed; k++) {
    if (i + k == bytes.size()) return -k;
    uint8_t c = bytes[i + k];
    if (c < lower || c > upper) return 0;
    lower = 0x80;
    upper = 0xBF;
  }
  return needed + 1;
}

// ---- Decoders (https://encoding.spec.whatwg.org/#legacy-single-byte-encodings and on) ----

// The shape every decoder in the spec has: a handler that sees one byte at a time, or the end of
// the queue, and may put bytes back in front of the queue. D supplies
//   Result handle(int byte)   // byte 0..255, or kEnd
// and emits code points through emit(). It may also supply
//   size_t fastForward(std::span<const uint8_t> bytes, size_t i)
// which, while no sequence is in progress, decodes the easy bytes from `i` on (runs of ASCII,
// complete valid sequences) straight to the output and returns where it stopped.
template <class D>
class ByteDecoder : public Decoder {
 public:
  explicit ByteDecoder(bool fatal) : fatal_(fatal) {}

  bool decode(std::span<const uint8_t> bytes, bool flush, std::u16string& out) final {
    out_ = &out;
    auto& self = static_cast<D&>(*this);
    size_t i = 0;
    for (;;) {
      int b;
      if (prepended_ > 0) {
        b = front_[--prepended_];
      } else {
        if (self.stateIdle()) i = self.fastForward(bytes, i);
        if (i == bytes.size()) break;
        b = bytes[i++];
      }
      if (self.handle(b) == Error && !error()) return false;
    }
    if (!flush) return true;
    for (;;) {
      Result r;
      if (prepended_ > 0) r = self.handle(front_[--prepended_]);
      else if ((r = self.handle(kEnd)) == Finished) break;
      if (r == Error && !error()) return false;
    }
    return true;
  }

  bool idle() const override { return prepended_ == 0 && static_cast<const D&>(*this).stateIdle(); }
  void reset() override {
    prepended_ = 0;
    static_cast<D&>(*this).resetState();
  }

 protected:
  enum Result { Continue, Error, Finished };
  static constexpr int kEnd = -1;

  void emit(char32_t c) {
    if (c < 0x10000) {
      out_->push_back(static_cast<char16_t>(c));
    } else {
      c -= 0x10000;
      out_->push_back(static_cast<char16_t>(0xD800 + (c >> 10)));
      out_->push_back(static_cast<char16_t>(0xDC00 + (c & 0x3FF)));
    }
  }
  // Puts bytes back in front of the queue, to be read in the order given.
  void prepend(std::initializer_list<int> bytes) {
    for (auto it = std::rbegin(bytes); it != std::rend(bytes); ++it) {
      if (*it != kEnd) front_[prepended_++] = static_cast<uint8_t>(*it);
    }
  }
  static bool isAscii(int b) { return b >= 0 && b < 0x80; }

  size_t fastForward(std::span<const uint8_t>, size_t i) { return i; }
  // For decoders that map every ASCII byte to itself when idle.
  size_t asciiRun(std::span<const uint8_t> bytes, size_t i) {
    while (i < bytes.size() && bytes[i] < 0x80) out_->push_back(bytes[i++]);
    return i;
  }

 private:
  bool error() {
    if (fatal_) return false;
    out_->push_back(kReplacement);
    return true;
  }

  bool fatal_;
  std::u16string* out_ = nullptr;
  uint8_t front_[4] = {};
  int prepended_ = 0;
};

// https://encoding.spec.whatwg.org/#utf-8-decoder
class Utf8Decoder final : public ByteDecoder<Utf8Decoder> {
 public:
  using ByteDecoder::ByteDecoder;
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) {
    while (i < bytes.size()) {
      int length = utf8SequenceAt(bytes, i);
      if (length <= 0) break;
      const uint8_t* p = bytes.data() + i;
      switch (length) {
        case 1: emit(p[0]); break;
        case 2: emit((char32_t{p[0] & 0x1Fu} << 6) | (p[1] & 0x3F)); break;
        case 3: emit((char32_t{p[0] & 0x0Fu} << 12) | (char32_t{p[1] & 0x3Fu} << 6) | (p[2] & 0x3F)); break;
        default:
          emit((char32_t{p[0] & 0x07u} << 18) | (char32_t{p[1] & 0x3Fu} << 12) | (char32_t{p[2] & 0x3Fu} << 6) |
               (p[3] & 0x3F));
      }
      i += static_cast<size_t>(length);
    }
    return i;
  }
  Result handle(int b) {
    if (b == kEnd) {
      if (needed_ == 0) return Finished;
      resetState();
      return Error;
    }
    if (needed_ == 0) {
      if (b < 0x80) {
        emit(static_cast<char32_t>(b));
      } else if (b >= 0xC2 && b <= 0xDF) {
        needed_ = 1;
        codePoint_ = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) lower_ = 0xA0;
        if (b == 0xED) upper_ = 0x9F;
        needed_ = 2;
        codePoint_ = b & 0xF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) lower_ = 0x90;
        if (b == 0xF4) upper_ = 0x8F;
        needed_ = 3;
        codePoint_ = b & 0x7;
      } else {
        return Error;
      }
      return Continue;
    }
    if (b < lower_ || b > upper_) {
      resetState();
      prepend({b});
      return Error;
    }
    lower_ = 0x80;
    upper_ = 0xBF;
    codePoint_ = (codePoint_ << 6) | (b & 0x3F);
    if (++seen_ != needed_) return Continue;
    emit(codePoint_);
    resetState();
    return Continue;
  }
  bool stateIdle() const { return needed_ == 0; }
  void resetState() {
    codePoint_ = 0;
    seen_ = needed_ = 0;
    lower_ = 0x80;
    upper_ = 0xBF;
  }

 private:
  char32_t codePoint_ = 0;
  int seen_ = 0, needed_ = 0;
  int lower_ = 0x80, upper_ = 0xBF;
};

// https://encoding.spec.whatwg.org/#shared-utf-16-decoder
class Utf16Decoder final : public ByteDecoder<Utf16Decoder> {
 public:
  Utf16Decoder(bool fatal, bool bigEndian) : ByteDecoder(fatal), bigEndian_(bigEndian) {}
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) {
    auto unitAt = [&](size_t at) {
      return static_cast<char16_t>(bigEndian_ ? (bytes[at] << 8) | bytes[at + 1] : (bytes[at + 1] << 8) | bytes[at]);
    };
    while (i + 1 < bytes.size()) {
      char16_t unit = unitAt(i);
      if (unit < 0xD800 || unit > 0xDFFF) {
        emit(unit);
        i += 2;
        continue;
      }
      if (unit > 0xDBFF || i + 3 >= bytes.size()) break;
      char16_t trail = unitAt(i + 2);
      if (trail < 0xDC00 || trail > 0xDFFF) break;
      emit(0x10000 + ((static_cast<char32_t>(unit) - 0xD800) << 10) + (trail - 0xDC00));
      i += 4;
    }
    return i;
  }
  Result handle(int b) {
    if (b == kEnd) {
      if (leadByte_ < 0 && leadSurrogate_ == 0) return Finished;
      resetState();
      return Error;
    }
    if (leadByte_ < 0) {
      leadByte_ = b;
      return Continue;
    }
    char16_t unit = static_cast<char16_t>(bigEndian_ ? (leadByte_ << 8) | b : (b << 8) | leadByte_);
    leadByte_ = -1;
    if (leadSurrogate_ != 0) {
      char16_t lead = leadSurrogate_;
      leadSurrogate_ = 0;
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        emit(0x10000 + ((static_cast<char32_t>(lead) - 0xD800) << 10) + (unit - 0xDC00));
        return Continue;
      }
      if (bigEndian_) prepend({unit >> 8, unit & 0xFF});
      else prepend({unit & 0xFF, unit >> 8});
      return Error;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      leadSurrogate_ = unit;
      return Continue;
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF) return Error;
    emit(unit);
    return Continue;
  }
  bool stateIdle() const { return leadByte_ < 0 && leadSurrogate_ == 0; }
  void resetState() {
    leadByte_ = -1;
    leadSurrogate_ = 0;
  }

 private:
  bool bigEndian_;
  int leadByte_ = -1;
  char16_t leadSurrogate_ = 0;
};

// https://encoding.spec.whatwg.org/#single-byte-decoder
class SingleByteDecoder final : public ByteDecoder<SingleByteDecoder> {
 public:
  SingleByteDecoder(bool fatal, const SingleByteIndex& index) : ByteDecoder(fatal), index_(index) {}
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) {
    for (; i < bytes.size(); i++) {
      uint8_t b = bytes[i];
      char16_t c = b < 0x80 ? b : index_[b - 0x80];
      if (c == 0 && b != 0) break;
      emit(c);
    }
    return i;
  }
  Result handle(int b) {
    if (b == kEnd) return Finished;
    if (b < 0x80) {
      emit(static_cast<char32_t>(b));
      return Continue;
    }
    char16_t c = index_[b - 0x80];
    if (c == 0) return Error;
    emit(c);
    return Continue;
  }
  bool stateIdle() const { return true; }
  void resetState() {}

 private:
  const SingleByteIndex& index_;
};

// https://encoding.spec.whatwg.org/#x-user-defined-decoder
class XUserDefinedDecoder final : public ByteDecoder<XUserDefinedDecoder> {
 public:
  using ByteDecoder::ByteDecoder;
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) {
    for (; i < bytes.size(); i++) handle(bytes[i]);
    return i;
  }
  Result handle(int b) {
    if (b == kEnd) return Finished;
    emit(b < 0x80 ? static_cast<char32_t>(b) : 0xF780 + static_cast<char32_t>(b - 0x80));
    return Continue;
  }
  bool stateIdle() const { return true; }
  void resetState() {}
};

// https://encoding.spec.whatwg.org/#gb18030-decoder (also GBK's decoder)
class Gb18030Decoder final : public ByteDecoder<Gb18030Decoder> {
 public:
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) { return asciiRun(bytes, i); }
  Gb18030Decoder(bool fatal, const Index& index) : ByteDecoder(fatal), index_(index) {}
  Result handle(int b) {
    if (b == kEnd) {
      if (first_ == 0 && second_ == 0 && third_ == 0) return Finished;
      resetState();
      return Error;
    }
    if (third_ != 0) {
      if (b < 0x30 || b > 0x39) {
        prepend({second_, third_, b});
        resetState();
        return Error;
      }
      uint32_t pointer = (((static_cast<uint32_t>(first_ - 0x81) * 10 + (second_ - 0x30)) * 126 + (third_ - 0x81)) * 10) +
                         static_cast<uint32_t>(b - 0x30);
      resetState();
      char32_t c = gb18030RangesCodePoint(pointer);
      if (c == 0) return Error;
      emit(c);
      return Continue;
    }
    if (second_ != 0) {
      if (b >= 0x81 && b <= 0xFE) {
        third_ = b;
        return Continue;
      }
      prepend({second_, b});
      resetState();
      return Error;
    }
    if (first_ != 0) {
      if (b >= 0x30 && b <= 0x39) {
        second_ = b;
        return Continue;
      }
      int lead = first_;
      first_ = 0;
      char32_t c = 0;
      if ((b >= 0x40 && b <= 0x7E) || (b >= 0x80 && b <= 0xFE)) {
        c = index_[static_cast<size_t>((lead - 0x81) * 190 + (b - (b < 0x7F ? 0x40 : 0x41)))];
      }
      if (c != 0) {
        emit(c);
        return Continue;
      }
      if (isAscii(b)) prepend({b});
      return Error;
    }
    if (isAscii(b)) {
      emit(static_cast<char32_t>(b));
      return Continue;
    }
    if (b == 0x80) {
      emit(0x20AC);
      return Continue;
    }
    if (b >= 0x81 && b <= 0xFE) {
      first_ = b;
      return Continue;
    }
    return Error;
  }
  bool stateIdle() const { return first_ == 0; }
  void resetState() { first_ = second_ = third_ = 0; }

 private:
  const Index& index_;
  int first_ = 0, second_ = 0, third_ = 0;
};

// https://encoding.spec.whatwg.org/#big5-decoder
class Big5Decoder final : public ByteDecoder<Big5Decoder> {
 public:
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) { return asciiRun(bytes, i); }
  Big5Decoder(bool fatal, const Index& index) : ByteDecoder(fatal), index_(index) {}
  Result handle(int b) {
    if (b == kEnd) {
      if (lead_ == 0) return Finished;
      lead_ = 0;
      return Error;
    }
    if (lead_ != 0) {
      int lead = lead_;
      lead_ = 0;
      int pointer = -1;
      if ((b >= 0x40 && b <= 0x7E) || (b >= 0xA1 && b <= 0xFE)) {
        pointer = (lead - 0x81) * 157 + (b - (b < 0x7F ? 0x40 : 0x62));
      }
      // Four pointers stand for two code points each.
      switch (pointer) {
        case 1133: return emitPair(0x00CA, 0x0304);
        case 1135: return emitPair(0x00CA, 0x030C);
        case 1164: return emitPair(0x00EA, 0x0304);
        case 1166: return emitPair(0x00EA, 0x030C);
      }
      char32_t c = pointer < 0 ? 0 : index_[static_cast<size_t>(pointer)];
      if (c != 0) {
        emit(c);
        return Continue;
      }
      if (isAscii(b)) prepend({b});
      return Error;
    }
    if (isAscii(b)) {
      emit(static_cast<char32_t>(b));
      return Continue;
    }
    if (b >= 0x81 && b <= 0xFE) {
      lead_ = b;
      return Continue;
    }
    return Error;
  }
  bool stateIdle() const { return lead_ == 0; }
  void resetState() { lead_ = 0; }

 private:
  Result emitPair(char32_t a, char32_t b) {
    emit(a);
    emit(b);
    return Continue;
  }
  const Index& index_;
  int lead_ = 0;
};

// https://encoding.spec.whatwg.org/#euc-jp-decoder
class EucJpDecoder final : public ByteDecoder<EucJpDecoder> {
 public:
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) { return asciiRun(bytes, i); }
  EucJpDecoder(bool fatal, const Index& jis0208, const Index& jis0212)
      : ByteDecoder(fatal), jis0208_(jis0208), jis0212_(jis0212) {}
  Result handle(int b) {
    if (b == kEnd) {
      if (lead_ == 0) return Finished;
      resetState();
      return Error;
    }
    if (lead_ == 0x8E && b >= 0xA1 && b <= 0xDF) {
      lead_ = 0;
      emit(0xFF61 - 0xA1 + static_cast<char32_t>(b));
      return Continue;
    }
    if (lead_ == 0x8F && b >= 0xA1 && b <= 0xFE) {
      jis0212Next_ = true;
      lead_ = b;
      return Continue;
    }
    if (lead_ != 0) {
      int lead = lead_;
      lead_ = 0;
      char32_t c = 0;
      if (lead >= 0xA1 && lead <= 0xFE && b >= 0xA1 && b <= 0xFE) {
        c = (jis0212Next_ ? jis0212_ : jis0208_)[static_cast<size_t>((lead - 0xA1) * 94 + b - 0xA1)];
      }
      jis0212Next_ = false;
      if (c != 0) {
        emit(c);
        return Continue;
      }
      if (isAscii(b)) prepend({b});
      return Error;
    }
    if (isAscii(b)) {
      emit(static_cast<char32_t>(b));
      return Continue;
    }
    if (b == 0x8E || b == 0x8F || (b >= 0xA1 && b <= 0xFE)) {
      lead_ = b;
      return Continue;
    }
    return Error;
  }
  bool stateIdle() const { return lead_ == 0; }
  void resetState() {
    lead_ = 0;
    jis0212Next_ = false;
  }

 private:
  const Index& jis0208_;
  const Index& jis0212_;
  int lead_ = 0;
  bool jis0212Next_ = false;
};

// https://encoding.spec.whatwg.org/#iso-2022-jp-decoder
class Iso2022JpDecoder final : public ByteDecoder<Iso2022JpDecoder> {
 public:
  Iso2022JpDecoder(bool fatal, const Index& jis0208) : ByteDecoder(fatal), jis0208_(jis0208) {}
  Result handle(int b) {
    switch (state_) {
      case State::Ascii:
      case State::Roman:
      case State::Katakana:
      case State::LeadByte:
        if (b == 0x1B) {
          state_ = State::EscapeStart;
          return Continue;
        }
        if (b == kEnd) return Finished;
        outputFlag_ = false;
        return single(b);
      case State::TrailByte:
        if (b == 0x1B) {
          state_ = State::EscapeStart;
          return Error;
        }
        state_ = State::LeadByte;
        if (b >= 0x21 && b <= 0x7E) {
          char32_t c = jis0208_[static_cast<size_t>((lead_ - 0x21) * 94 + b - 0x21)];
          if (c == 0) return Error;
          emit(c);
          return Continue;
        }
        // At the end of the queue the end is seen again, now in the lead byte state.
        return Error;
      case State::EscapeStart:
        if (b == 0x24 || b == 0x28) {
          lead_ = b;
          state_ = State::Escape;
          return Continue;
        }
        prepend({b});
        outputFlag_ = false;
        state_ = outputState_;
        return Error;
      case State::Escape: {
        int lead = lead_;
        lead_ = 0;
        std::optional<State> next;
        if (lead == 0x28 && b == 0x42) next = State::Ascii;
        else if (lead == 0x28 && b == 0x4A) next = State::Roman;
        else if (lead == 0x28 && b == 0x49) next = State::Katakana;
        else if (lead == 0x24 && (b == 0x40 || b == 0x42)) next = State::LeadByte;
        if (next) {
          state_ = outputState_ = *next;
          bool hadOutput = outputFlag_;
          outputFlag_ = true;
          return hadOutput ? Error : Continue;  // two escapes in a row hide nothing: an error
        }
        prepend({lead, b});
        outputFlag_ = false;
        state_ = outputState_;
        return Error;
      }
    }
    return Error;
  }
  bool stateIdle() const {
    return state_ == State::Ascii || state_ == State::Roman || state_ == State::Katakana ||
           state_ == State::LeadByte;
  }
  void resetState() {
    state_ = outputState_ = State::Ascii;
    lead_ = 0;
    outputFlag_ = false;
  }

 private:
  enum class State : uint8_t { Ascii, Roman, Katakana, LeadByte, TrailByte, EscapeStart, Escape };

  // A byte in one of the four output states (not ESC, not the end of the queue).
  Result single(int b) {
    switch (state_) {
      case State::Ascii:
        if (b <= 0x7F && b != 0x0E && b != 0x0F) {
          emit(static_cast<char32_t>(b));
          return Continue;
        }
        return Error;
      case State::Roman:
        if (b == 0x5C) emit(0x00A5);
        else if (b == 0x7E) emit(0x203E);
        else if (b <= 0x7F && b != 0x0E && b != 0x0F) emit(static_cast<char32_t>(b));
        else return Error;
        return Continue;
      case State::Katakana:
        if (b >= 0x21 && b <= 0x5F) {
          emit(0xFF61 - 0x21 + static_cast<char32_t>(b));
          return Continue;
        }
        return Error;
      default:  // LeadByte
        if (b >= 0x21 && b <= 0x7E) {
          lead_ = b;
          state_ = State::TrailByte;
          return Continue;
        }
        return Error;
    }
  }

  const Index& jis0208_;
  State state_ = State::Ascii;
  State outputState_ = State::Ascii;
  int lead_ = 0;
  bool outputFlag_ = false;
};

// https://encoding.spec.whatwg.org/#shift_jis-decoder
class ShiftJisDecoder final : public ByteDecoder<ShiftJisDecoder> {
 public:
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) { return asciiRun(bytes, i); }
  ShiftJisDecoder(bool fatal, const Index& jis0208) : ByteDecoder(fatal), jis0208_(jis0208) {}
  Result handle(int b) {
    if (b == kEnd) {
      if (lead_ == 0) return Finished;
      lead_ = 0;
      return Error;
    }
    if (lead_ != 0) {
      int lead = lead_;
      lead_ = 0;
      int pointer = -1;
      if ((b >= 0x40 && b <= 0x7E) || (b >= 0x80 && b <= 0xFC)) {
        pointer = (lead - (lead < 0xA0 ? 0x81 : 0xC1)) * 188 + b - (b < 0x7F ? 0x40 : 0x41);
      }
      if (pointer >= 8836 && pointer <= 10715) {  // the user-defined area
        emit(0xE000 - 8836 + static_cast<char32_t>(pointer));
        return Continue;
      }
      char32_t c = pointer < 0 ? 0 : jis0208_[static_cast<size_t>(pointer)];
      if (c != 0) {
        emit(c);
        return Continue;
      }
      if (isAscii(b)) prepend({b});
      return Error;
    }
    if (isAscii(b) || b == 0x80) {
      emit(static_cast<char32_t>(b));
      return Continue;
    }
    if (b >= 0xA1 && b <= 0xDF) {
      emit(0xFF61 - 0xA1 + static_cast<char32_t>(b));
      return Continue;
    }
    if ((b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC)) {
      lead_ = b;
      return Continue;
    }
    return Error;
  }
  bool stateIdle() const { return lead_ == 0; }
  void resetState() { lead_ = 0; }

 private:
  const Index& jis0208_;
  int lead_ = 0;
};

// https://encoding.spec.whatwg.org/#euc-kr-decoder
class EucKrDecoder final : public ByteDecoder<EucKrDecoder> {
 public:
  size_t fastForward(std::span<const uint8_t> bytes, size_t i) { return asciiRun(bytes, i); }
  EucKrDecoder(bool fatal, const Index& index) : ByteDecoder(fatal), index_(index) {}
  Result handle(int b) {
    if (b == kEnd) {
      if (lead_ == 0) return Finished;
      lead_ = 0;
      return Error;
    }
    if (lead_ != 0) {
      int lead = lead_;
      lead_ = 0;
      char32_t c = 0;
      if (b >= 0x41 && b <= 0xFE) c = index_[static_cast<size_t>((lead - 0x81) * 190 + (b - 0x41))];
      if (c != 0) {
        emit(c);
        return Continue;
      }
      if (isAscii(b)) prepend({b});
      return Error;
    }
    if (isAscii(b)) {
      emit(static_cast<char32_t>(b));
      return Continue;
    }
    if (b >= 0x81 && b <= 0xFE) {
      lead_ = b;
      return Continue;
    }
    return Error;
  }
  bool stateIdle() const { return lead_ == 0; }
  void resetState() { lead_ = 0; }

 private:
  const Index& index_;
  int lead_ = 0;
};

}  // namespace

// ---- The decoders' entry points ----

Utf8Scan scanUtf8(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t n = bytes.size(), i = 0;
  bool ascii = true;
  while (i < n) {
    while (i + 8 <= n) {  // eight ASCII bytes at a time
      uint64_t word;
      memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i == n) break;
    int length = utf8SequenceAt(bytes, i);
    if (length <= 0) return {i, ascii, length == 0};
    if (length > 1) ascii = false;
    i += static_cast<size_t>(length);
  }
  return {n, ascii, false};
}

std::unique_ptr<Decoder> makeDecoder(Encoding e, bool fatal) {
  switch (e) {
    case Encoding::Utf8: return std::make_unique<Utf8Decoder>(fatal);
    case Encoding::Utf16Be: return std::make_unique<Utf16Decoder>(fatal, true);
    case Encoding::Utf16Le: return std::make_unique<Utf16Decoder>(fatal, false);
    case Encoding::XUserDefined: return std::make_unique<XUserDefinedDecoder>(fatal);
    case Encoding::Gbk:
    case Encoding::Gb18030: return std::make_unique<Gb18030Decoder>(fatal, requireIndex(indexGb18030(), e));
    case Encoding::Big5: return std::make_unique<Big5Decoder>(fatal, requireIndex(indexBig5(), e));
    case Encoding::EucJp:
      return std::make_unique<EucJpDecoder>(fatal, requireIndex(indexJis0208(), e), requireIndex(indexJis0212(), e));
    case Encoding::Iso2022Jp: return std::make_unique<Iso2022JpDecoder>(fatal, requireIndex(indexJis0208(), e));
    case Encoding::ShiftJis: return std::make_unique<ShiftJisDecoder>(fatal, requireIndex(indexJis0208(), e));
    case Encoding::EucKr: return std::make_unique<EucKrDecoder>(fatal, requireIndex(indexEucKr(), e));
    case Encoding::Replacement: break;  // no decoder: TextDecoder refuses the label
    default: {
      const SingleByteIndex* index = singleByteIndex(e);
      if (!index) unavailable(e);
      return std::make_unique<SingleByteDecoder>(fatal, *index);
    }
  }
  throw js::Error("The 'replacement' encoding has no decoder.");
}

}  // namespace encoding

}  // namespace wisp::api
