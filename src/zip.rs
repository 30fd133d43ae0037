//! A ZIP archive written as it goes: each entry stored (pictures are compressed already), its
//! header with the CRC and the size known, so every unzip tool reads it; ZIP64 records where an
//! offset or the count passes what the classic format holds. The caller sends each piece as it
//! comes (header, then the file's bytes), so an archive of many pictures never sits in memory.

/// What the classic format holds in a 32-bit field (and ZIP64 takes over from).
const MAX32: u64 = 0xFFFF_FFFF;
/// The same for the 16-bit count of entries.
const MAX16: u64 = 0xFFFF;

struct Entry {
    name: Vec<u8>,
    crc: u32,
    size: u32,
    offset: u64,
}

/// An archive being written: where the next byte goes, and the entries so far.
pub struct ZipWriter {
    written: u64,
    entries: Vec<Entry>,
    /// The DOS time and date of every entry.
    dos: (u16, u16),
    /// The offset from which ZIP64 is used (`MAX32`; lower in tests).
    zip64_from: u64,
}

/// A 2.0 (stored) entry, or 4.5 where ZIP64 is used.
fn version(zip64: bool) -> u16 {
    if zip64 { 45 } else { 20 }
}

/// UTF-8 names (bit 11), so Chinese prompts make readable file names.
const FLAGS: u16 = 1 << 11;

impl ZipWriter {
    /// An archive whose entries are dated `unix_secs` (UTC).
    pub fn new(unix_secs: i64) -> Self {
        Self {
            written: 0,
            entries: Vec::new(),
            dos: dos_time(unix_secs),
            zip64_from: MAX32,
        }
    }

    #[cfg(test)]
    fn with_zip64_from(mut self, from: u64) -> Self {
        self.zip64_from = from;
        self
    }

    /// The bytes that go before a file's `data`: its local header. Send them, then the data.
    /// A file is at most 4 GiB less a byte (pictures are far smaller).
    pub fn entry(&mut self, name: &str, data: &[u8]) -> Result<Vec<u8>, TooLarge> {
        let size = u32::try_from(data.len()).map_err(|_| TooLarge)?;
        let crc = crc32fast::hash(data);
        let name = name.as_bytes().to_vec();
        let mut h = Vec::with_capacity(30 + name.len());
        put32(&mut h, 0x0403_4b50);
        put16(&mut h, version(false));
        put16(&mut h, FLAGS);
        put16(&mut h, 0); // stored
        put16(&mut h, self.dos.0);
        put16(&mut h, self.dos.1);
        put32(&mut h, crc);
        put32(&mut h, size);
        put32(&mut h, size);
        put16(&mut h, name.len() as u16);
        put16(&mut h, 0);
        h.extend_from_slice(&name);
        self.entries.push(Entry {
            name,
            crc,
            size,
            offset: self.written,
        });
        self.written += h.len() as u64 + u64::from(size);
        Ok(h)
    }

    /// The central directory and the end records: the last bytes of the archive.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        let start = self.written;
        for e in &self.entries {
            let far = e.offset >= self.zip64_from;
            put32(&mut out, 0x0201_4b50);
            put16(&mut out, (3 << 8) | version(far)); // made on Unix
            put16(&mut out, version(far));
            put16(&mut out, FLAGS);
            put16(&mut out, 0);
            put16(&mut out, self.dos.0);
            put16(&mut out, self.dos.1);
            put32(&mut out, e.crc);
            put32(&mut out, e.size);
            put32(&mut out, e.size);
            put16(&mut out, e.name.len() as u16);
            put16(&mut out, if far { 12 } else { 0 });
            put16(&mut out, 0); // comment
            put16(&mut out, 0); // disk
            put16(&mut out, 0); // internal attributes
            put32(&mut out, 0o100_644 << 16); // a regular file, rw-r--r--
            put32(&mut out, if far { MAX32 as u32 } else { e.offset as u32 });
            out.extend_from_slice(&e.name);
            if far {
                put16(&mut out, 0x0001);
                put16(&mut out, 8);
                put64(&mut out, e.offset);
            }
        }
        let size = out.len() as u64;
        let count = self.entries.len() as u64;
        let zip64 = start >= self.zip64_from || size >= MAX32 || count >= MAX16;
        if zip64 {
            let at = start + size;
            put32(&mut out, 0x0606_4b50);
            put64(&mut out, 44);
            put16(&mut out, (3 << 8) | 45);
            put16(&mut out, 45);
            put32(&mut out, 0);
            put32(&mut out, 0);
            put64(&mut out, count);
            put64(&mut out, count);
            put64(&mut out, size);
            put64(&mut out, start);
            put32(&mut out, 0x0706_4b50);
            put32(&mut out, 0);
            put64(&mut out, at);
            put32(&mut out, 1);
        }
        put32(&mut out, 0x0605_4b50);
        put16(&mut out, 0);
        put16(&mut out, 0);
        put16(&mut out, count.min(MAX16) as u16);
        put16(&mut out, count.min(MAX16) as u16);
        put32(&mut out, size.min(MAX32) as u32);
        put32(&mut out, if zip64 { MAX32 as u32 } else { start as u32 });
        put16(&mut out, 0);
        out
    }
}

/// A file of 4 GiB or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// MS-DOS time and date of a moment (UTC; 1980 at the earliest, as the format starts there).
fn dos_time(unix_secs: i64) -> (u16, u16) {
    let t = time::OffsetDateTime::from_unix_timestamp(unix_secs)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    if t.year() < 1980 {
        return (0, (1 << 5) | 1);
    }
    let time =
        (u16::from(t.hour()) << 11) | (u16::from(t.minute()) << 5) | (u16::from(t.second()) / 2);
    let date = (((t.year() - 1980) as u16) << 9)
        | ((u8::from(t.month()) as u16) << 5)
        | u16::from(t.day());
    (time, date)
}

/// A file name made of words of a prompt: letters and digits of any script kept, the rest one
/// `-`, at most `max` characters, never empty (`image`).
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.chars().count() >= max {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "image".to_owned()
    } else {
        out.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }
    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    /// Reads an archive the way unzip does, from its central directory: (name, data) of each
    /// entry, with every CRC checked.
    fn read(b: &[u8]) -> Vec<(String, Vec<u8>)> {
        let eocd = b.len() - 22;
        assert_eq!(u32_at(b, eocd), 0x0605_4b50, "end record");
        let (mut count, mut cd) = (
            u64::from(u16_at(b, eocd + 10)),
            u64::from(u32_at(b, eocd + 16)),
        );
        if cd == MAX32 {
            let locator = eocd - 20;
            assert_eq!(u32_at(b, locator), 0x0706_4b50, "zip64 locator");
            let rec = u64_at(b, locator + 8) as usize;
            assert_eq!(u32_at(b, rec), 0x0606_4b50, "zip64 end record");
            count = u64_at(b, rec + 32);
            cd = u64_at(b, rec + 48);
        }
        let mut at = cd as usize;
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(b, at), 0x0201_4b50, "central header");
            assert_eq!(u16_at(b, at + 8) & (1 << 11), 1 << 11, "UTF-8 names");
            let crc = u32_at(b, at + 16);
            let size = u32_at(b, at + 24) as usize;
            let (n, x, c) = (
                u16_at(b, at + 28) as usize,
                u16_at(b, at + 30) as usize,
                u16_at(b, at + 32) as usize,
            );
            let mut offset = u64::from(u32_at(b, at + 42));
            let name = String::from_utf8(b[at + 46..at + 46 + n].to_vec()).unwrap();
            if offset == MAX32 {
                let extra = at + 46 + n;
                assert_eq!(u16_at(b, extra), 1, "zip64 extra");
                offset = u64_at(b, extra + 4);
            }
            let local = offset as usize;
            assert_eq!(u32_at(b, local), 0x0403_4b50, "local header of {name}");
            assert_eq!(u32_at(b, local + 14), crc, "the local header's CRC");
            let start =
                local + 30 + u16_at(b, local + 26) as usize + u16_at(b, local + 28) as usize;
            let data = b[start..start + size].to_vec();
            assert_eq!(crc32fast::hash(&data), crc, "the CRC of {name}");
            out.push((name, data));
            at += 46 + n + x + c;
        }
        out
    }

    fn archive(mut z: ZipWriter, files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data) in files {
            out.extend(z.entry(name, data).unwrap());
            out.extend_from_slice(data);
        }
        out.extend(z.finish());
        out
    }

    #[test]
    fn entries_read_back_with_names_and_bytes() {
        let files: &[(&str, &[u8])] = &[
            ("a.png", b"\x89PNG one"),
            ("红色狐狸.png", b"two"),
            ("empty", b""),
        ];
        let got = read(&archive(ZipWriter::new(1_764_324_000), files));
        let want: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(n, d)| ((*n).to_owned(), d.to_vec()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn zip64_records_take_over_past_the_classic_limits() {
        let files: &[(&str, &[u8])] = &[("a", b"first"), ("b", b"second"), ("c", b"third")];
        // Every offset past 6 bytes counts as "far": the second and third entries and the
        // directory are written the ZIP64 way.
        let bytes = archive(ZipWriter::new(0).with_zip64_from(6), files);
        let eocd = bytes.len() - 22;
        assert_eq!(
            u64::from(u32_at(&bytes, eocd + 16)),
            MAX32,
            "the classic offset says: see ZIP64"
        );
        let got = read(&bytes);
        assert_eq!(got.len(), 3);
        assert_eq!(got[2], ("c".to_owned(), b"third".to_vec()));
    }

    #[test]
    fn dos_times_count_from_1980() {
        // 2025-11-28 10:00:00 UTC
        let (t, d) = dos_time(1_764_324_000);
        assert_eq!((t >> 11, (t >> 5) & 63, (t & 31) * 2), (10, 0, 0));
        assert_eq!(((d >> 9) + 1980, (d >> 5) & 15, d & 31), (2025, 11, 28));
        assert_eq!(dos_time(0), (0, 33));
    }

    #[test]
    fn slugs_keep_words_of_any_script() {
        assert_eq!(
            slug("A red fox, in the SNOW --ar 16:9", 40),
            "a-red-fox-in-the-snow-ar-16-9"
        );
        assert_eq!(slug("一只红色的狐狸 in snow", 40), "一只红色的狐狸-in-snow");
        assert_eq!(slug("   ***   ", 40), "image");
        assert_eq!(slug("abcdefghij", 4), "abcd");
        assert_eq!(slug("ab cd", 3), "ab");
    }
}
