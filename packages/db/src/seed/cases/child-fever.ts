/**
 * Seed case: a mother describing her 3-year-old son's two-day fever after a
 * cold, with ear-pulling and night-time crying (acute otitis media), plus the
 * safety-netting history expected for any febrile child. Primary-care
 * history-taking station with a parent as the informant.
 */
import type { caseStudyContentSchema } from '@sp/core';
import type { z } from 'zod';

type CaseStudyContentInput = z.input<typeof caseStudyContentSchema>;

export const childFever: CaseStudyContentInput = {
  slug: 'child-fever',
  title: 'A feverish 3-year-old: history from a parent',
  description:
    "Setting: a same-day appointment at a general practice. Sarah Mitchell, 34, has brought her 3-year-old son, Leo, who has had a fever for two days. Leo is sitting on his mother's lap and is too young to give a history himself, so you will take the history from Sarah. Your task is to take a focused paediatric history: characterise the fever, look for a source, assess hydration and general behaviour, and ask the questions needed to exclude serious illness (the 'red flags' for a feverish child). Cover birth and past medical history, immunisations, medications, allergies, family and social history and sick contacts. Find out what Sarah thinks is wrong, what she is worried about and what she hopes for today. You are not expected to examine Leo, but finish by summarising back to Sarah what you have heard.",
  persona: {
    name: 'Sarah Mitchell',
    age: 34,
    sex: 'female',
    personality:
      'A caring, articulate but visibly tired and anxious mother; she has been up most of the night with Leo. She talks quickly when worried, sometimes answering a question with a question ("Is that normal? Should I be worried about that?"), and she apologises for possibly overreacting. She has been reading about meningitis online and is frightened by it. She relaxes and slows down when the student listens properly and explains things in plain language, but she gets more anxious if the student seems rushed or dismissive. She refers to her son by name and calls him "my little man" at times.',
    openingLine:
      "Hi, thanks for seeing us so quickly. It's Leo, my son, he's three. He's had a temperature for two days now and he's just not himself. I'm sorry if I'm overreacting, I just didn't know what else to do.",
    voice: 'shimmer',
  },
  facts: [
    {
      id: 'presenting_complaint',
      topic: 'Presenting complaint',
      content:
        "He's had a high temperature on and off for two days, and he's really not himself. Grizzly, clingy, wants to be carried everywhere. He was up a lot in the night crying.",
      keywords: [
        'what brings you',
        'how can i help',
        'temperature',
        'fever',
        'not himself',
        'problem',
        'what happened',
      ],
      disclosure: 'volunteer',
    },
    {
      id: 'fever_course',
      topic: 'Fever: onset, height and pattern',
      content:
        "It started on Tuesday evening, so about two days ago. The highest it's been was 39.4 last night, with our ear thermometer. When I give him Calpol it comes down to about 37.5 within an hour or so, then creeps back up a few hours later. He hasn't been shivering or shaking.",
      keywords: [
        'when did',
        'how long',
        'start',
        'how high',
        'thermometer',
        'measured',
        'degrees',
        'temperature',
        'comes down',
        'shivering',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'ear_pain',
      topic: 'Ear symptoms',
      content:
        'Now you say it, he keeps pulling at his right ear, and rubbing it on my shoulder. Last night he woke up screaming and it was worse when he was lying down. He said "ear hurts" once. I haven\'t seen any gunk or fluid coming out of it, and his hearing seems okay, maybe a bit less responsive.',
      keywords: ['ear', 'ears', 'earache', 'pulling', 'rubbing', 'discharge', 'hearing', 'pain', 'hurts'],
      disclosure: 'when_asked',
    },
    {
      id: 'preceding_cold',
      topic: 'Coryzal symptoms',
      content:
        "He had a cold last week, a really runny nose, green snot, and a bit of a cough. The nose is a bit better now but he's still coughing a little, mostly at night. No sore throat that he's told me about.",
      keywords: ['cold', 'runny nose', 'snotty', 'cough', 'coughing', 'throat', 'sore throat', 'blocked nose'],
      disclosure: 'when_asked',
    },
    {
      id: 'eating_and_drinking',
      topic: 'Feeding and fluids',
      content:
        "He's off his food, he's only picked at a bit of toast today. He's still drinking, though not as much as usual: some milk and some diluted squash. I'd guess maybe two-thirds of what he normally has. He's not refusing drinks completely.",
      keywords: ['eating', 'eat', 'food', 'drinking', 'drink', 'fluids', 'feeding', 'milk', 'appetite', 'hydration'],
      disclosure: 'when_asked',
    },
    {
      id: 'wet_nappies',
      topic: 'Urine output and urinary symptoms',
      content:
        "He's potty trained in the day but still has a nappy at night. He's been to the toilet about four times today, a bit less than normal, and his night nappy was wet this morning, just a bit lighter than usual. It doesn't smell funny and he isn't crying when he wees, no blood or anything.",
      keywords: [
        'wet nappies',
        'nappy',
        'nappies',
        'wee',
        'weeing',
        'urine',
        'toilet',
        'potty',
        'smell',
        'passing urine',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'behaviour_and_alertness',
      topic: 'Behaviour, activity and alertness',
      content:
        "When his temperature's up he's tired and quiet and just wants to lie on me. But after Calpol he perks up, this morning he was playing with his cars and watching cartoons and chatting away. He's easy to wake, and he knows who I am. He's not floppy.",
      keywords: [
        'behaviour',
        'playing',
        'active',
        'alert',
        'drowsy',
        'sleepy',
        'floppy',
        'wake',
        'responsive',
        'himself',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'rash',
      topic: 'Rash',
      content:
        "No rash. I've been checking him all over, every few hours, because of what I read about meningitis. I even did the glass test on a little red mark on his leg but it was just a bruise from the park and it faded under the glass.",
      keywords: ['rash', 'spots', 'skin', 'glass test', 'marks', 'blotchy', 'bruise'],
      disclosure: 'when_asked',
    },
    {
      id: 'neck_and_light',
      topic: 'Neck stiffness, light sensitivity, headache',
      content:
        "No, his neck's fine, he's turning his head and looking down at his toys no problem. The light doesn't seem to bother him, he's happy watching telly. He hasn't complained of a headache.",
      keywords: ['neck', 'stiff', 'stiffness', 'light', 'bright lights', 'headache', 'head'],
      disclosure: 'when_asked',
    },
    {
      id: 'breathing',
      topic: 'Breathing',
      content:
        "His breathing seems normal. He's not breathing fast or working hard, I haven't heard any wheezing or grunting, and his lips have never gone blue.",
      keywords: ['breathing', 'breath', 'breathless', 'wheeze', 'wheezing', 'grunting', 'fast breathing', 'blue'],
      disclosure: 'when_asked',
    },
    {
      id: 'gut_symptoms',
      topic: 'Vomiting, diarrhoea and tummy',
      content:
        "He was sick once yesterday, but that was after a big coughing fit. Nothing since. No diarrhoea, his poos are normal. He hasn't said his tummy hurts.",
      keywords: ['vomiting', 'vomit', 'sick', 'diarrhoea', 'poo', 'bowels', 'tummy', 'stomach', 'belly'],
      disclosure: 'when_asked',
    },
    {
      id: 'seizures',
      topic: 'Fits or febrile convulsions',
      content:
        "No, no fits or shaking, thank goodness. He's never had one. My friend's little girl had a febrile fit last year and that really scared me.",
      keywords: ['fit', 'fits', 'seizure', 'seizures', 'convulsion', 'shaking', 'jerking'],
      disclosure: 'when_asked',
    },
    {
      id: 'medications',
      topic: 'Medications given',
      content:
        "I've been giving him Calpol, seven and a half mils, every four to six hours, the last dose was at seven this morning. And a dose of children's ibuprofen at lunchtime yesterday when the Calpol wasn't quite enough. He doesn't take anything regularly, and he hasn't had any antibiotics this time.",
      keywords: [
        'medication',
        'medicine',
        'medicines',
        'calpol',
        'paracetamol',
        'ibuprofen',
        'given him',
        'antibiotics',
        'regular',
      ],
      disclosure: 'volunteer',
    },
    {
      id: 'allergies',
      topic: 'Allergies',
      content:
        "No allergies that we know of. He's had penicillin before, for his ear when he was a baby, and he was fine with it.",
      keywords: ['allergy', 'allergies', 'allergic', 'reaction', 'penicillin'],
      disclosure: 'when_asked',
    },
    {
      id: 'birth_and_past_history',
      topic: 'Birth and past medical history',
      content:
        "He was born at 39 weeks, a normal delivery, no problems, and he didn't need special care. He's been healthy really. He had one ear infection at about eighteen months, the GP gave him antibiotics for that. He's never been in hospital. He's growing well, he's following his line in the red book, and his talking and walking are all normal.",
      keywords: [
        'born',
        'birth',
        'pregnancy',
        'medical history',
        'medical problems',
        'hospital',
        'before',
        'previous',
        'development',
        'growing',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'immunisations',
      topic: 'Immunisations',
      content:
        "Yes, he's had all of them, they're all in his red book, including the ones at one year. He's not due his pre-school jabs until he's three and a bit.",
      keywords: [
        'immunisations',
        'immunised',
        'vaccinations',
        'vaccines',
        'jabs',
        'injections',
        'up to date',
        'red book',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'sick_contacts',
      topic: 'Sick contacts and travel',
      content:
        "He goes to nursery three days a week and there have been loads of colds going round. His baby sister, Ava, has a runny nose at the moment as well. We haven't been abroad or anywhere unusual.",
      keywords: ['nursery', 'anyone else', 'unwell', 'ill', 'contacts', 'poorly', 'travel', 'abroad', 'been away'],
      disclosure: 'when_asked',
    },
    {
      id: 'family_history',
      topic: 'Family history',
      content:
        'His dad, Dan, had lots of ear infections as a child and had grommets. I have mild asthma. Nothing else runs in the family that I know of.',
      keywords: ['family', 'family history', 'run in the family', 'parents', 'his dad', 'relatives', 'asthma'],
      disclosure: 'when_asked',
    },
    {
      id: 'social_history',
      topic: 'Home and social situation',
      content:
        "It's me, my partner Dan, Leo and Ava, she's eight months. I work part-time as a teaching assistant. Dan smokes, but only outside in the garden, never in the house. We've got good support, my mum lives nearby. No social worker or anything like that.",
      keywords: [
        'live with',
        'home',
        'who lives',
        'smoke',
        'smoking',
        'smokes',
        'work',
        'support',
        'social worker',
        'siblings',
      ],
      disclosure: 'when_asked',
    },
    {
      id: 'ideas',
      topic: 'Ideas',
      content:
        "I thought at first it was teething, his back teeth are coming through, or just another bug from nursery. But he's never been this miserable with a cold.",
      keywords: ['what do you think', 'any ideas', 'thoughts', 'causing', 'cause', 'think it is', 'your ideas'],
      disclosure: 'when_asked',
    },
    {
      id: 'concerns',
      topic: 'Concerns',
      content:
        "Honestly, I'm terrified it's meningitis. A mum from nursery shared a post about a little boy who went downhill really fast, and I couldn't stop thinking about it last night. And I'm worried the high temperature might make him have a fit.",
      keywords: ['worry', 'worried', 'worries you', 'concern', 'concerned', 'scared', 'frightened', 'afraid'],
      disclosure: 'when_asked',
    },
    {
      id: 'expectations',
      topic: 'Expectations',
      content:
        'I suppose I was hoping for some antibiotics to knock it on the head, like last time. And I want to know what I should be looking out for, and when I should bring him back or call someone.',
      keywords: ['hoping', 'expect', 'expecting', 'expectations', 'what would you like', 'hope', 'from today'],
      disclosure: 'when_asked',
    },
  ],
  instructions:
    "You are Sarah Mitchell, the 34-year-old mother of Leo, aged 3, at a same-day GP appointment. Leo is sitting quietly on your lap; he does not speak during the consultation, and you answer every question on his behalf, describing him in the third person. Stay in character as a real parent at all times, never as an actor or an AI, and never explain the case. You are tired, worried and talk a little fast; you apologise for possibly overreacting. Give your opening concern freely, and you may mention the Calpol you have been giving. Reveal facts marked when_asked only when the student's question actually reaches them; in particular, do not mention the ear-pulling or night-time screaming, the preceding cold, or your fear of meningitis unless asked about the relevant area (a vague 'anything else?' may earn one detail, not all). If asked about a red-flag symptom (rash, stiff neck, floppiness, breathing, fits, not drinking, no wet nappies), answer clearly and honestly from your facts; these are reassuring. If the student uses jargon (e.g. 'otalgia', 'coryzal', 'non-blanching', 'febrile convulsion'), ask what they mean. Respond with visible relief when the student is empathetic and explains things in plain language, and become more anxious if they are dismissive. You do not know the diagnosis: never name or suggest an ear infection, otitis media or any diagnosis as fact; you only describe what you have seen. You do not know Leo's exact weight today, his heart rate or oxygen levels. If asked something not covered by your facts, give a plausible, unremarkable answer for a healthy 3-year-old, or say you have not noticed. If the student gives advice, respond naturally and ask practical questions, such as when you should come back.",
  rubric: [
    {
      id: 'introduction',
      title: "Introduction, identity check, consent and the parent's relationship to the child",
      criteria:
        "Met: the student introduces themselves by name and role, confirms the child's name and age, confirms the adult's name and relationship to the child (that she is his mother and can give consent), and gains consent to take a history; ideally also acknowledges Leo. Partially met: introduction without confirming the relationship to the child, or without asking consent.",
      weight: 6,
      cues: [
        'my name is',
        "i'm a medical student",
        'i am a medical student',
        'your name',
        "leo's mum",
        'are you his',
        'relationship',
        'how old is',
        'is it okay if',
        'would you mind',
      ],
      credit: 'introducing',
      elements: [
        { id: 'name', label: 'own name', cues: ['@name_given'] },
        { id: 'role', label: 'role', cues: ['@role'] },
        {
          id: 'parent',
          label: "the parent's name and relationship",
          cues: [
            'your name',
            "leo's mum",
            'are you his',
            'his mum',
            'his mother',
            'related',
            'relationship',
            'are you mum',
            'you are leo',
            'mother',
            'his mother',
            'connection to him',
            'who have you brought',
          ],
        },
        {
          id: 'child',
          label: "the child's name and age",
          cues: [
            'how old is he',
            'how old is leo',
            'his age',
            'his name',
            'this is leo',
            'hello leo',
            'hi leo',
            'name and age',
            'what is his name',
            'how old',
            'is three',
            'his age',
          ],
        },
        { id: 'consent', label: 'consent', cues: ['@consent'] },
      ],
      elementsForMet: 5,
    },
    {
      id: 'open_questions',
      title: 'Opens with open questions and lets the parent tell the story',
      criteria:
        "Met: opens with an open question (e.g. 'What's been happening with Leo?'), lets the mother speak without early interruption, and uses further open prompts before focused questions. Partially met: an open opening followed by a rapid checklist of closed questions, or frequent interruptions.",
      weight: 5,
      cues: [
        'what brings you',
        "what's been happening",
        'tell me about',
        'tell me more',
        'can you describe',
        'talk me through',
        'in your own words',
        'how can i help',
      ],
      elements: [{ id: 'open_opening', label: 'an open opening question', cues: ['@open_opening'] }],
      elementsForMet: 1,
    },
    {
      id: 'fever_history',
      title: 'Characterises the fever',
      criteria:
        'Met: establishes onset and duration (two days), the highest measured temperature and how it was measured (39.4 by ear thermometer), the pattern and the response to antipyretics. Partially met: duration only, or temperature without duration or response to treatment.',
      weight: 9,
      cues: [
        'how long',
        'when did',
        'how high',
        'highest',
        'thermometer',
        'measured',
        'come down',
        'calpol',
        'paracetamol',
      ],
      elements: [
        { id: 'onset', label: 'onset and duration', cues: ['@onset_time', 'since when'] },
        {
          id: 'height',
          label: 'highest temperature and how measured',
          cues: [
            'how high',
            'highest',
            'top reading',
            'thermometer',
            'measured',
            'measure it',
            'take it with',
            'temperature been',
          ],
        },
        {
          id: 'pattern',
          label: 'pattern',
          cues: [
            'come and go',
            'comes and goes',
            'pattern',
            'climbing back',
            'keep coming back',
            'all the time',
            'constant',
            'come back',
            'creep back',
            'go back up',
            'keep coming back',
          ],
        },
        {
          id: 'antipyretics',
          label: 'response to antipyretics',
          cues: [
            'calpol',
            'paracetamol',
            'ibuprofen',
            'come down',
            'brought it down',
            'settle with medicine',
            'with medicine',
          ],
        },
      ],
      elementsForMet: 4,
    },
    {
      id: 'source_of_infection',
      title: 'Looks for a source of infection',
      criteria:
        'Met: asks systematically about possible sources, including ears (eliciting right ear-pulling and night-time crying when lying down), throat and upper respiratory symptoms (preceding cold, cough), breathing, urinary symptoms (pain passing urine, smelly urine) and gastrointestinal symptoms. Partially met: asks about some sources but misses the ear symptoms, or asks about the ears only.',
      weight: 13,
      cues: [
        'ear',
        'pulling',
        'cough',
        'runny nose',
        'cold',
        'sore throat',
        'smell',
        'when he wees',
        'diarrhoea',
        'vomiting',
      ],
      elements: [
        {
          id: 'ears',
          label: 'ears',
          cues: ['ear', 'ears', 'pulling', 'tugging', 'tug', 'side of his head', 'lying flat', 'lying down'],
        },
        {
          id: 'upper_respiratory',
          label: 'throat and upper respiratory symptoms',
          cues: ['cold', 'runny nose', 'snuffles', 'blocked nose', 'sore throat', 'throat', 'cough', 'coughing'],
        },
        {
          id: 'urinary',
          label: 'urinary symptoms',
          cues: ['when he wees', 'wee', 'passing water', 'pass urine', 'urine', 'sting', 'smell'],
        },
        {
          id: 'gut_breathing',
          label: 'gastrointestinal or breathing symptoms',
          cues: ['vomiting', 'being sick', 'diarrhoea', 'loose stools', 'tummy', 'breathing', 'breathe'],
        },
      ],
      elementsForMet: 4,
    },
    {
      id: 'hydration',
      title: 'Assesses feeding, fluid intake and urine output',
      criteria:
        'Met: asks about eating and drinking (intake about two-thirds of normal) and urine output (wet nappies or toilet trips), eliciting that he is still drinking and passing urine. Partially met: asks about eating or drinking but not urine output, or vice versa.',
      weight: 10,
      cues: ['drinking', 'eating', 'fluids', 'feeding', 'wet nappies', 'nappy', 'weeing', 'passing urine', 'toilet'],
      elements: [
        {
          id: 'intake',
          label: 'eating and drinking',
          cues: ['drinking', 'drink', 'eating', 'eat', 'fluids', 'feeding', 'milk', 'meals'],
        },
        {
          id: 'output',
          label: 'urine output',
          cues: ['wet nappies', 'nappies', 'nappy', 'damp', 'toilet', 'weeing', 'passing urine'],
        },
      ],
      elementsForMet: 2,
    },
    {
      id: 'red_flags',
      title: 'Screens for serious illness (meningitis, sepsis) and febrile seizures',
      criteria:
        'Met: asks about rash (and whether it blanches), neck stiffness, dislike of bright light, drowsiness or floppiness and how easy he is to wake, behaviour and play, breathing difficulty, and fits. Partially met: asks about two or three of these; not met if neither rash nor level of alertness is asked about.',
      weight: 14,
      cues: [
        'rash',
        'glass test',
        'stiff neck',
        'neck',
        'bright light',
        'drowsy',
        'floppy',
        'hard to wake',
        'playing',
        'fits',
      ],
      elements: [
        {
          id: 'rash',
          label: 'rash and whether it blanches',
          cues: ['rash', 'glass', 'spots', 'blotches', 'fade when you press', 'press on them'],
        },
        {
          id: 'meningism',
          label: 'neck stiffness or dislike of light',
          cues: ['stiff neck', 'neck', 'bright light', 'light', 'bend his head', 'squinting'],
        },
        {
          id: 'alertness',
          label: 'drowsiness, floppiness or hard to wake',
          cues: ['drowsy', 'floppy', 'hard to wake', 'harder to rouse', 'rouse', 'sleepy', 'limp', 'listless'],
        },
        { id: 'behaviour', label: 'behaviour and play', cues: ['playing', 'play', 'toys', 'himself', 'behaviour'] },
        {
          id: 'fits',
          label: 'fits or breathing difficulty',
          cues: ['fits', 'fit', 'seizure', 'jerking', 'trouble breathing', 'struggling to breathe'],
        },
      ],
      elementsForMet: 4,
    },
    {
      id: 'background_history',
      title: 'Birth, past medical history and immunisations',
      criteria:
        'Met: asks about pregnancy and birth, past illnesses and hospital admissions (eliciting a previous ear infection at 18 months), growth and development, and immunisation status (up to date). Partially met: asks about immunisations or past history but not both.',
      weight: 9,
      cues: [
        'born',
        'pregnancy',
        'birth',
        'medical problems',
        'been in hospital',
        'immunisations',
        'vaccinations',
        'jabs',
        'up to date',
        'development',
      ],
      elements: [
        {
          id: 'birth',
          label: 'pregnancy and birth',
          cues: ['pregnancy', 'birth', 'born', 'delivered', 'expecting him'],
        },
        {
          id: 'past',
          label: 'past illnesses and admissions',
          cues: ['medical problems', 'been in hospital', 'hospital stay', 'hospital', 'illnesses', 'unwell before'],
        },
        {
          id: 'development',
          label: 'growth and development',
          cues: ['development', 'developing', 'growing', 'walking and talking', 'milestones'],
        },
        {
          id: 'immunisations',
          label: 'immunisations',
          cues: ['immunisations', 'vaccinations', 'vaccinated', 'jabs', 'injections', 'up to date'],
        },
      ],
      elementsForMet: 3,
    },
    {
      id: 'medications_allergies',
      title: 'Medications and allergies',
      criteria:
        'Met: establishes which medicines have been given (paracetamol and ibuprofen), with dose and time of the last dose, any regular medicines or recent antibiotics, and allergies (none; has tolerated penicillin). Partially met: asks about medicines or allergies but not both, or does not establish when the last dose was given.',
      weight: 7,
      cues: [
        'any medicines',
        'any medication',
        'calpol',
        'paracetamol',
        'ibuprofen',
        'last dose',
        'how much',
        'antibiotics',
        'allergic',
        'allergies',
      ],
      elements: [
        {
          id: 'medicines',
          label: 'medicines given',
          cues: ['@medications', 'calpol', 'paracetamol', 'ibuprofen', 'antibiotics'],
        },
        {
          id: 'last_dose',
          label: 'dose and time of the last dose',
          cues: ['last dose', 'how much', 'what amount', 'most recent', 'when did you last', 'what time'],
        },
        { id: 'allergies', label: 'allergies', cues: ['@allergies'] },
      ],
      elementsForMet: 3,
    },
    {
      id: 'family_social_contacts',
      title: 'Family history, social history and sick contacts',
      criteria:
        'Met: asks about illness in the family, who lives at home, smoking in the household, nursery attendance, unwell contacts and recent travel. Partially met: covers sick contacts or social situation but not both.',
      weight: 8,
      cues: [
        'family history',
        'run in the family',
        'who lives',
        'at home',
        'smoke',
        'nursery',
        'anyone else unwell',
        'anyone else ill',
        'travel',
        'abroad',
      ],
      elements: [
        { id: 'family', label: 'family history', cues: ['@family_history', 'close relatives'] },
        { id: 'household', label: 'who lives at home and smoking', cues: ['@home', 'smoke', 'tobacco'] },
        { id: 'nursery', label: 'nursery or childcare', cues: ['nursery', 'childcare', 'school'] },
        {
          id: 'contacts',
          label: 'unwell contacts and travel',
          cues: [
            'anyone else unwell',
            'anyone else ill',
            'anyone else',
            'been poorly',
            'unwell',
            'travel',
            'abroad',
            'overseas',
          ],
        },
      ],
      elementsForMet: 4,
    },
    {
      id: 'ice',
      title: "Explores the parent's ideas, concerns and expectations",
      criteria:
        'Met: explores what Sarah thinks is causing the fever (teething, a nursery bug), what worries her (meningitis, a febrile fit) and what she hopes for (antibiotics, knowing what to look out for). Partially met: explores one or two of the three.',
      weight: 10,
      cues: [
        'what do you think',
        'any ideas',
        'worries you',
        'worried about',
        'concerns',
        'what are you hoping',
        'expecting',
        'hoping for',
        'from today',
      ],
      elements: [
        { id: 'ideas', label: 'ideas', cues: ['@ideas'] },
        { id: 'concerns', label: 'concerns', cues: ['@concerns'] },
        { id: 'expectations', label: 'expectations', cues: ['@expectations'] },
      ],
      elementsForMet: 3,
    },
    {
      id: 'empathy',
      title: 'Empathy and acknowledging parental anxiety',
      criteria:
        "Met: acknowledges how worrying and exhausting this is for her, validates that bringing Leo in was reasonable, and responds to her fear about meningitis with empathy rather than dismissal. Partially met: polite but does not respond to her specific worries, or is dismissive ('it's just a virus').",
      weight: 6,
      cues: [
        'that sounds',
        'that must be',
        'i understand',
        'worrying',
        'exhausting',
        'understandable',
        'you did the right thing',
        'right to bring him',
        "i'm sorry",
      ],
      credit: 'responding',
      elements: [
        { id: 'acknowledges', label: 'acknowledges her worry and exhaustion', cues: ['@empathy_acknowledge'] },
        {
          id: 'validates',
          label: 'validates coming in or responds to her fear',
          cues: ['right thing', 'right to bring', 'sensible', 'meningitis', 'coming in was'],
        },
        { id: 'reassurance', label: 'dismissive reassurance', cues: ['@dismissal'] },
      ],
      elementsForMet: 2,
    },
    {
      id: 'summary',
      title: 'Summarises and checks understanding',
      criteria:
        'Met: gives an accurate summary (two days of fever after a cold, right ear-pulling and night crying, drinking and passing urine, no red-flag features, immunised, nursery contacts) and checks it with the mother, inviting corrections. Partially met: a summary missing key features, or no check with the mother.',
      weight: 5,
      cues: [
        'to summarise',
        'so to recap',
        'just to summarise',
        'let me check',
        'have i got that right',
        'is that correct',
        'anything i missed',
        'anything else you',
      ],
      credit: 'summarising',
      elements: [
        { id: 'recap', label: 'a summary', cues: ['@recap'] },
        { id: 'check', label: 'a check with the patient', cues: ['@check_back'] },
      ],
      elementsForMet: 2,
    },
  ],
  durationLimit: 600,
  maxAttempts: 3,
  published: true,
};
