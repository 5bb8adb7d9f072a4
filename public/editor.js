// Flotilla's bridge to the Monaco editor (public/vendor/monaco, copied from the pinned npm
// package by scripts/vendor-assets.mjs). The explorer calls flotillaEditor.open(); Monaco's AMD
// loader and stylesheet are added to the page the first time, so other pages never load them.
(() => {
  const base = "/vendor/monaco/vs";
  let loading = null;

  function loadMonaco() {
    if (loading) return loading;
    loading = new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = `${base}/editor/editor.main.css`;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = `${base}/loader.js`;
      script.onload = () => {
        window.require.config({ paths: { vs: base } });
        window.require(["vs/editor/editor.main"], () => resolve(window.monaco), reject);
      };
      script.onerror = () => reject(new Error("the Monaco editor could not be loaded"));
      document.head.appendChild(script);
    });
    loading.catch(() => { loading = null; });
    return loading;
  }

  window.flotillaEditor = {
    /** Opens `value` (the file `path`, which picks the language) in `element`. Resolves to a
     *  handle with dispose(); calls onChange(text) on every edit and onSave() on Ctrl/Cmd+S. */
    async open(element, value, path, onChange, onSave) {
      const monaco = await loadMonaco();
      const uri = monaco.Uri.file("/" + path);
      monaco.editor.getModel(uri)?.dispose();
      const model = monaco.editor.createModel(value, undefined, uri);
      const editor = monaco.editor.create(element, {
        model,
        theme: document.documentElement.classList.contains("dark") ? "vs-dark" : "vs",
        automaticLayout: true,
        minimap: { enabled: false },
        fontSize: 12,
        scrollBeyondLastLine: false,
      });
      editor.onDidChangeModelContent(() => onChange(editor.getValue()));
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => onSave());
      return { dispose() { editor.dispose(); model.dispose(); } };
    },
  };
})();
