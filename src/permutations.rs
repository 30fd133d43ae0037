//! MidJourney's permutation prompts: `a {red, blue} fox in {snow, rain}` is four prompts. Groups
//! nest (`a {red, dark {blue, green}} fox` is three), a backslash keeps a comma or a brace as it is
//! (`{salt\, pepper, oil}` is two), and the first group varies slowest, as MidJourney lists them.
//! The count is known before anything is expanded, so a prompt that would make millions is refused
//! without making them.

/// Why a prompt does not expand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermutationError {
    /// A `{` without its `}`.
    Unclosed,
    /// A `}` without its `{`.
    Unopened,
    /// More prompts than allowed (how many it would make, saturating).
    TooMany { count: u64, max: u64 },
    /// Groups nested deeper than [`DEPTH_MAX`].
    TooDeep,
}

/// How deep groups may nest: `{a, {b, {c, d}}}` is three. Real prompts use one or two; the bound
/// keeps every step below (parsing, counting, expanding, dropping the tree) from recursing past it,
/// whatever a request holds.
pub const DEPTH_MAX: usize = 5;

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Group(Vec<Vec<Node>>),
}

fn parse(prompt: &str) -> Result<Vec<Node>, PermutationError> {
    // A stack of open groups: each its alternatives so far and the sequence being written.
    let mut stack: Vec<(Vec<Vec<Node>>, Vec<Node>)> = Vec::new();
    let mut seq: Vec<Node> = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, seq: &mut Vec<Node>| {
        if !text.is_empty() {
            seq.push(Node::Text(std::mem::take(text)));
        }
    };
    let mut chars = prompt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some(',' | '{' | '}' | '\\')) => {
                text.extend(chars.next());
            }
            '{' => {
                if stack.len() == DEPTH_MAX {
                    return Err(PermutationError::TooDeep);
                }
                flush(&mut text, &mut seq);
                stack.push((Vec::new(), std::mem::take(&mut seq)));
            }
            ',' if !stack.is_empty() => {
                flush(&mut text, &mut seq);
                if let Some((alts, _)) = stack.last_mut() {
                    alts.push(std::mem::take(&mut seq));
                }
            }
            '}' => {
                flush(&mut text, &mut seq);
                let (mut alts, outer) = stack.pop().ok_or(PermutationError::Unopened)?;
                alts.push(std::mem::replace(&mut seq, outer));
                seq.push(Node::Group(alts));
            }
            c => text.push(c),
        }
    }
    if !stack.is_empty() {
        return Err(PermutationError::Unclosed);
    }
    flush(&mut text, &mut seq);
    Ok(seq)
}

fn count_seq(seq: &[Node]) -> u64 {
    seq.iter().fold(1u64, |n, node| match node {
        Node::Text(_) => n,
        Node::Group(alts) => n.saturating_mul(
            alts.iter()
                .fold(0u64, |sum, alt| sum.saturating_add(count_seq(alt))),
        ),
    })
}

fn expand_seq(seq: &[Node]) -> Vec<String> {
    seq.iter()
        .fold(vec![String::new()], |heads, node| match node {
            Node::Text(t) => heads.into_iter().map(|h| h + t).collect(),
            Node::Group(alts) => {
                let tails: Vec<String> = alts.iter().flat_map(|alt| expand_seq(alt)).collect();
                heads
                    .iter()
                    .flat_map(|h| tails.iter().map(move |t| format!("{h}{t}")))
                    .collect()
            }
        })
}

/// One space between words, none at the ends: what an option's own spaces leave behind.
fn tidy(prompt: &str) -> String {
    prompt.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How many prompts `prompt` makes (1 without braces).
pub fn count(prompt: &str) -> Result<u64, PermutationError> {
    parse(prompt).map(|seq| count_seq(&seq))
}

/// Every prompt `prompt` makes, in MidJourney's order, if at most `max`.
pub fn expand(prompt: &str, max: u64) -> Result<Vec<String>, PermutationError> {
    let seq = parse(prompt)?;
    let count = count_seq(&seq);
    if count > max {
        return Err(PermutationError::TooMany { count, max });
    }
    Ok(expand_seq(&seq).iter().map(|p| tidy(p)).collect())
}

use crate::error::Rule;

/// Every prompt a batch makes: each given prompt (blank ones skipped) expanded by its
/// permutations, in order, at most `max` in all.
pub fn batch_prompts(given: &[String], max: u64) -> Result<Vec<String>, Rule> {
    let given: Vec<&str> = given
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if given.is_empty() {
        return Err(Rule::Required);
    }
    // The length first: nothing below runs over more than a prompt's worth of text.
    let too_long = Rule::TooLong {
        max: crate::limits::PROMPT_MAX_CHARS as u32,
    };
    if given
        .iter()
        .any(|p| p.chars().count() > crate::limits::PROMPT_MAX_CHARS)
    {
        return Err(too_long);
    }
    let mut total = 0u64;
    for p in &given {
        total = total.saturating_add(count(p).map_err(rule_of)?);
    }
    if total > max {
        return Err(Rule::BatchTooLarge { count: total, max });
    }
    let mut all = Vec::new();
    for p in given {
        all.extend(expand(p, max).map_err(rule_of)?);
    }
    Ok(all)
}

fn rule_of(e: PermutationError) -> Rule {
    match e {
        PermutationError::TooMany { count, max } => Rule::BatchTooLarge { count, max },
        PermutationError::TooDeep => Rule::Nesting {
            max: DEPTH_MAX as u32,
        },
        PermutationError::Unclosed | PermutationError::Unopened => Rule::Braces,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_make_the_product_first_group_slowest() {
        let p = "a {red, blue, green} fox in {snow, rain}";
        assert_eq!(count(p), Ok(6));
        assert_eq!(
            expand(p, 10).unwrap(),
            [
                "a red fox in snow",
                "a red fox in rain",
                "a blue fox in snow",
                "a blue fox in rain",
                "a green fox in snow",
                "a green fox in rain",
            ]
        );
    }

    #[test]
    fn a_prompt_without_braces_is_itself() {
        assert_eq!(
            expand("a fox --ar 3:2", 1).unwrap(),
            ["a fox --ar 3:2"],
            "commas outside braces are words"
        );
        assert_eq!(expand("a fox, at dusk", 1).unwrap(), ["a fox, at dusk"]);
    }

    #[test]
    fn groups_nest_and_parameters_permute_too() {
        let p = "a {red, dark {blue, green}} fox --ar {1:1, 16:9}";
        assert_eq!(count(p), Ok(6));
        let all = expand(p, 6).unwrap();
        assert_eq!(all[0], "a red fox --ar 1:1");
        assert_eq!(all[2], "a dark blue fox --ar 1:1");
        assert_eq!(all[5], "a dark green fox --ar 16:9");
    }

    #[test]
    fn a_backslash_keeps_a_comma_or_a_brace() {
        assert_eq!(
            expand(r"soup with {salt\, pepper, oil}", 5).unwrap(),
            ["soup with salt, pepper", "soup with oil"]
        );
        assert_eq!(
            expand(r"a \{literal\} brace", 1).unwrap(),
            ["a {literal} brace"]
        );
        assert_eq!(
            expand(r"C:\path {a, b}", 2).unwrap(),
            [r"C:\path a", r"C:\path b"],
            "other backslashes stay"
        );
    }

    #[test]
    fn an_empty_option_leaves_no_double_space() {
        assert_eq!(expand("a {, big} fox", 2).unwrap(), ["a fox", "a big fox"]);
    }

    #[test]
    fn unbalanced_braces_are_named() {
        assert_eq!(count("a {red, blue fox"), Err(PermutationError::Unclosed));
        assert_eq!(count("a red} fox"), Err(PermutationError::Unopened));
    }

    #[test]
    fn too_many_is_refused_before_anything_is_made() {
        let huge = "{a,b,c,d,e,f,g,h,i,j}".repeat(30);
        assert_eq!(count(&huge), Ok(u64::MAX), "saturates, never overflows");
        assert_eq!(
            expand(&huge, 10),
            Err(PermutationError::TooMany {
                count: u64::MAX,
                max: 10
            })
        );
        assert_eq!(
            expand("{a, b, c}", 2),
            Err(PermutationError::TooMany { count: 3, max: 2 })
        );
    }

    #[test]
    fn a_batch_is_every_line_expanded_within_the_limit() {
        let lines = [
            "a {cat, dog}".to_owned(),
            " ".to_owned(),
            "a fox".to_owned(),
        ];
        assert_eq!(
            batch_prompts(&lines, 3).unwrap(),
            ["a cat", "a dog", "a fox"]
        );
        assert_eq!(
            batch_prompts(&lines, 2),
            Err(Rule::BatchTooLarge { count: 3, max: 2 })
        );
        assert_eq!(batch_prompts(&[" ".to_owned()], 5), Err(Rule::Required));
        assert_eq!(batch_prompts(&["{a".to_owned()], 5), Err(Rule::Braces));
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing() {
        let ok = format!("{}x{}", "{a,".repeat(DEPTH_MAX), "}".repeat(DEPTH_MAX));
        assert_eq!(count(&ok), Ok(DEPTH_MAX as u64 + 1));
        let deep = format!(
            "{}x{}",
            "{a,".repeat(DEPTH_MAX + 1),
            "}".repeat(DEPTH_MAX + 1)
        );
        assert_eq!(count(&deep), Err(PermutationError::TooDeep));
        // 100,000 levels: refused at once (the length, before any parsing), no stack overflow.
        let huge = format!("{}{}", "{".repeat(100_000), "}".repeat(100_000));
        assert_eq!(count(&huge), Err(PermutationError::TooDeep));
        assert_eq!(
            batch_prompts(&[huge], 10),
            Err(Rule::TooLong {
                max: crate::limits::PROMPT_MAX_CHARS as u32
            })
        );
        let short_deep = "{".repeat(2000) + &"}".repeat(2000);
        assert_eq!(
            batch_prompts(&[short_deep], 10),
            Err(Rule::Nesting {
                max: DEPTH_MAX as u32
            })
        );
    }
}
