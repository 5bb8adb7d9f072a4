//! A form made from a tool's input schema (JSON Schema): a field per property — text, number,
//! whole number, a switch, a choice for an enum, JSON for the rest — or the whole arguments as
//! JSON. Submitting gives the arguments object.

use leptos::prelude::*;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Text,
    Number,
    Integer,
    Boolean,
    Choice(Vec<Value>),
    Json,
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    kind: Kind,
    required: bool,
    description: Option<String>,
    value: RwSignal<String>,
}

fn fields_of(schema: &Value) -> Vec<Field> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, p)| {
            let kind = if let Some(choices) = p["enum"].as_array() {
                Kind::Choice(choices.clone())
            } else {
                match p["type"].as_str() {
                    Some("string") => Kind::Text,
                    Some("number") => Kind::Number,
                    Some("integer") => Kind::Integer,
                    Some("boolean") => Kind::Boolean,
                    _ => Kind::Json,
                }
            };
            let initial = match (&kind, &p["default"]) {
                (_, Value::Null) => String::new(),
                (Kind::Text, Value::String(s)) => s.clone(),
                (Kind::Choice(_) | Kind::Json, v) => v.to_string(),
                (_, v) => v.to_string(),
            };
            Field {
                name: name.clone(),
                kind,
                required: required.contains(&name.as_str()),
                description: p["description"].as_str().map(str::to_string),
                value: RwSignal::new(initial),
            }
        })
        .collect()
}

/// The arguments the fields hold, or what is wrong with one.
fn arguments(fields: &[Field]) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for f in fields {
        let text = f.value.get_untracked();
        let text = text.trim();
        if text.is_empty() && f.kind != Kind::Boolean {
            if f.required {
                return Err(format!("{} is required", f.name));
            }
            continue;
        }
        let value = match &f.kind {
            Kind::Text => Value::String(text.to_string()),
            Kind::Number => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("{} must be a number", f.name))?,
            Kind::Integer => text
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("{} must be a whole number", f.name))?,
            Kind::Boolean => {
                if text.is_empty() && !f.required {
                    continue;
                }
                Value::Bool(text == "true")
            }
            Kind::Choice(_) | Kind::Json => serde_json::from_str(text)
                .map_err(|e| format!("{} is not valid JSON: {e}", f.name))?,
        };
        out.insert(f.name.clone(), value);
    }
    Ok(out)
}

#[component]
pub fn SchemaForm(
    schema: Value,
    /// Called with the arguments when the form is sent.
    on_submit: Callback<Map<String, Value>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = "Call")] label: &'static str,
) -> impl IntoView {
    let fields = fields_of(&schema);
    let raw = RwSignal::new(false);
    let raw_text = RwSignal::new("{}".to_string());
    let error = RwSignal::new(None::<String>);
    let stored = StoredValue::new(fields.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let args = if raw.get_untracked() {
            match serde_json::from_str::<Value>(&raw_text.get_untracked()) {
                Ok(Value::Object(m)) => Ok(m),
                Ok(_) => Err("the arguments must be a JSON object".to_string()),
                Err(e) => Err(format!("the arguments are not valid JSON: {e}")),
            }
        } else {
            stored.with_value(|f| arguments(f))
        };
        match args {
            Ok(args) => on_submit.run(args),
            Err(e) => error.set(Some(e)),
        }
    };
    let switch = move |_| {
        // Carry what was typed over to the other view.
        if !raw.get_untracked() {
            if let Ok(args) = stored.with_value(|f| arguments(f)) {
                raw_text
                    .set(serde_json::to_string_pretty(&Value::Object(args)).unwrap_or_default());
            }
        }
        raw.update(|r| *r = !*r);
    };
    let empty = fields.is_empty();
    view! {
        <form class="grid gap-3" data-testid="schema-form" on:submit=submit>
            <Show when=move || !raw.get() fallback=move || view! {
                <label class="grid gap-1 text-sm">
                    <span class="text-muted">"Arguments (JSON)"</span>
                    <textarea class="input min-h-32 font-mono text-xs" bind:value=raw_text data-testid="raw-arguments"></textarea>
                </label>
            }>
                {empty.then(|| view! { <p class="text-sm text-muted">"No arguments."</p> })}
                {fields.clone().into_iter().map(|f| view! { <FieldInput field=f/> }).collect_view()}
            </Show>
            {move || error.get().map(|e| view! { <p class="text-sm text-red-600" role="alert" data-testid="form-error">{e}</p> })}
            <div class="flex flex-wrap gap-2">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get() data-testid="schema-submit">
                    {move || if pending.get() { "Waiting…".to_string() } else { label.to_string() }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=switch data-testid="toggle-raw">
                    {move || if raw.get() { "Form" } else { "JSON" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn FieldInput(field: Field) -> impl IntoView {
    let Field {
        name,
        kind,
        required,
        description,
        value,
    } = field;
    let label = format!("{name}{}", if required { " *" } else { "" });
    let input = match kind {
        Kind::Boolean => view! {
            <input type="checkbox" class="size-4" data-field=name.clone()
                prop:checked=move || value.get() == "true"
                on:change=move |ev| value.set(event_target_checked(&ev).to_string())/>
        }
        .into_any(),
        Kind::Choice(choices) => view! {
            <select class="input" bind:value=value data-field=name.clone() required=required>
                {(!required).then(|| view! { <option value="">"(none)"</option> })}
                {choices.into_iter().map(|c| {
                    let shown = c.as_str().map(str::to_string).unwrap_or_else(|| c.to_string());
                    view! { <option value=c.to_string()>{shown}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        Kind::Number | Kind::Integer => view! {
            <input class="input font-mono" type="number" step=if kind == Kind::Integer { "1" } else { "any" }
                bind:value=value data-field=name.clone() required=required/>
        }
        .into_any(),
        Kind::Text => view! {
            <input class="input" bind:value=value data-field=name.clone() required=required/>
        }
        .into_any(),
        Kind::Json => view! {
            <textarea class="input min-h-16 font-mono text-xs" placeholder="JSON" bind:value=value data-field=name.clone()></textarea>
        }
        .into_any(),
    };
    view! {
        <label class="grid gap-1 text-sm">
            <span class="font-mono text-xs">{label}</span>
            {input}
            {description.map(|d| view! { <span class="text-xs text-muted">{d}</span> })}
        </label>
    }
}
