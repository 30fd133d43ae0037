//! Integration tests: the whole server on port 0 with a temporary data dir, over real HTTP.

mod accounts;
mod admin;
mod auths;
mod buttons;
mod copy;
mod core;
mod engines;
mod fake_openai;
mod fake_sd;
mod fake_upstream;
mod generation;
mod hardening;
mod helpers;
mod image_inputs;
mod instances;
mod openai_facade;
mod openapi;
mod ops;
mod pages;
mod process;
mod restart;
mod scale;
mod sd_webui;
mod storage;
mod upgrade;
mod uploads;
