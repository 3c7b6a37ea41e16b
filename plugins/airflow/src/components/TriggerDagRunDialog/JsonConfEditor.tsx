import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { useTheme } from '@mui/material/styles';
import CodeMirror from '@uiw/react-codemirror';
import { useMemo } from 'react';

/** Props of {@link JsonConfEditor}. */
export interface JsonConfEditorProps {
  value: string;
  onChange: (text: string) => void;
  /** Accessible name of the editor. */
  label: string;
  readOnly?: boolean;
}

/**
 * The run config as JSON in CodeMirror 6: syntax highlighting, bracket
 * matching, and parse errors underlined where they are. Follows the app's
 * light or dark palette. Loaded on demand by the trigger dialog.
 */
export default function JsonConfEditor(props: JsonConfEditorProps) {
  const { value, onChange, label, readOnly } = props;
  const theme = useTheme();
  const extensions = useMemo(
    () => [
      json(),
      linter(jsonParseLinter(), { delay: 300 }),
      lintGutter(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': label }),
      EditorView.theme({
        '&': {
          fontSize: '0.875rem',
          border: `1px solid ${theme.palette.divider}`,
          borderRadius: `${theme.shape.borderRadius}px`,
        },
        '&.cm-focused': {
          outline: `2px solid ${theme.palette.primary.main}`,
        },
      }),
    ],
    [label, theme],
  );
  return (
    <CodeMirror
      value={value}
      onChange={onChange}
      extensions={extensions}
      theme={theme.palette.mode === 'dark' ? 'dark' : 'light'}
      minHeight="12em"
      maxHeight="28em"
      readOnly={readOnly}
      basicSetup={{ foldGutter: false, autocompletion: false }}
    />
  );
}
